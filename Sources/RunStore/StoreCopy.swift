import Foundation

/// Copies what one store holds into another (`fashion runs copy`): a study started on a laptop
/// moves to the shared database, or a shared study comes home. Copying again adds only what is
/// new: a run already there (same kind, name and start, to the millisecond) and a tuning study
/// whose name is taken are skipped.
public enum StoreCopy {
    /// What a copy added and what it found already there.
    public struct Summary: Equatable, Sendable {
        public var runs = 0
        public var runsSkipped = 0
        public var studies = 0
        public var trials = 0
        public var studiesSkipped: [String] = []
    }

    public static func copy(from source: any RunStorage, to target: any RunStorage) throws(RunStoreError) -> Summary {
        var summary = Summary()
        func key(_ run: StoredRun) -> String {
            "\(run.kind)\u{1F}\(run.name)\u{1F}\(Int64((run.startedAt.timeIntervalSince1970 * 1000).rounded()))"
        }
        let present = Set(try target.runs().map(key))
        // Oldest first, so the copies' ids keep the order.
        for run in try source.runs().reversed() {
            guard !present.contains(key(run)) else {
                summary.runsSkipped += 1
                continue
            }
            _ = try target.importRun(try source.details(of: run.id))
            summary.runs += 1
        }
        for study in try source.tuningStudies() {
            guard try target.tuningStudy(named: study.name) == nil else {
                summary.studiesSkipped.append(study.name)
                continue
            }
            let trials = try source.trials(study: study.id)
            _ = try target.importTuningStudy(study, trials: trials)
            summary.studies += 1
            summary.trials += trials.count
        }
        return summary
    }
}
