import FashionData
import Foundation
import Glibc
import Inference
import NeuralNet
import RunStore
import Studies

/// Reports each epoch's objective (validation accuracy, or mean average precision for tags) to
/// the store and asks the pruner whether to stop.
final class PruningWatcher: TrainingObserver {
    let store: any RunStorage
    let study: Int64, trial: Int64, number: Int
    let pruner: PrunerSettings
    private(set) var pruned = false
    private(set) var failure: Error?
    let objective: String
    /// Whether another worker has taken the trial over (its heartbeat went unheard).
    let takenOver: () -> Bool

    init(
        store: any RunStorage, study: Int64, trial: Int64, number: Int, pruner: PrunerSettings, objective: String,
        takenOver: @escaping () -> Bool = { false }
    ) {
        self.objective = objective
        self.takenOver = takenOver
        self.store = store
        self.study = study
        self.trial = trial
        self.number = number
        self.pruner = pruner
    }

    func shouldStop(after record: EpochRecord) -> Bool {
        if takenOver() { return true }
        guard let value = record.metrics[objective] else { return false }
        do {
            try store.reportStep(trial: trial, step: record.epoch, value: value)
            guard pruner.kind != .none else { return false }
            let others = try store.trials(study: study).filter { $0.trial.id != trial }.map(Tuner.observation)
            pruned = pruner.shouldPrune(epoch: record.epoch, value: value, others: others)
        } catch {
            failure = error
            return true
        }
        return pruned
    }
}
