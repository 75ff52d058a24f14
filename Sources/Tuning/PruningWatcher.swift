import FashionData
import Foundation
import Glibc
import Inference
import NeuralNet
import RunStore
import Studies

/// Reports each epoch's validation accuracy to the store and asks the pruner whether to stop.
final class PruningWatcher: TrainingObserver {
    let store: any RunStorage
    let study: Int64, trial: Int64, number: Int
    let pruner: PrunerSettings
    private(set) var pruned = false
    private(set) var failure: Error?

    init(store: any RunStorage, study: Int64, trial: Int64, number: Int, pruner: PrunerSettings) {
        self.store = store
        self.study = study
        self.trial = trial
        self.number = number
        self.pruner = pruner
    }

    func shouldStop(after record: EpochRecord) -> Bool {
        guard let value = record.validationAccuracy else { return false }
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
