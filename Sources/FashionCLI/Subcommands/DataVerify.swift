import ArgumentParser
import FashionData
import Foundation

struct DataVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the files' MD5 checksums against the published ones, and their structure.")

    @OptionGroup var dataset: DatasetOptions

    func run() throws {
        let location = try dataset.locate()
        let report = DatasetVerifier.verify(
            location: location, classNamesFile: dataset.classes.map { URL(fileURLWithPath: $0) })
        print("Verifying \(location.folder.path) (found by \(location.origin.rawValue))")
        for file in report.files {
            let name = (file.path as NSString).lastPathComponent
            switch file.result {
            case .archiveMatches(let md5): print("  ok    \(name)  MD5 \(md5) matches the published archive")
            case .contentMatches(let md5):
                print("  ok    \(name)  content MD5 \(md5) matches the published content (archive repackaged)")
            case .unchecked: print("  --    \(name)  no published checksum for this dataset")
            case .mismatch(let expected, let found): print("  FAIL  \(name)  MD5 \(found), expected \(expected)")
            }
        }
        if let error = report.structureError {
            print("  FAIL  structure: \(error)")
        } else if let loaded = report.dataset {
            print(
                "  ok    structure: \(loaded.train.count) training and \(loaded.test.count) test images of "
                    + "\(loaded.train.rows)x\(loaded.train.columns)\(loaded.train.channels == 3 ? " RGB" : ""), "
                    + "labels within \(loaded.classCount) classes"
            )
        }
        print(report.passed ? "All checks passed." : "Verification FAILED.")
        if !report.passed { throw ExitCode(1) }
    }
}
