import Foundation
import NumericCore

/// Hears what training does, to show progress (the CLI's progress bar) or record it.
public protocol TrainingObserver: AnyObject {
    func trainingStarted(epochs: Int, stepsPerEpoch: Int)
    func batchEnded(epoch: Int, step: Int, stepsPerEpoch: Int, loss: Double, accuracy: Double)
    func epochEnded(_ record: EpochRecord, of epochs: Int)
    func note(_ message: String)
    /// Asked after every epoch (after `epochEnded`); true stops training there, as a pruned
    /// trial of a hyperparameter search does. The history then says `stoppedEarly`.
    func shouldStop(after record: EpochRecord) -> Bool
}
