import ArgumentParser
import FashionData
import Foundation
import Studies

struct DataExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the dataset as folders of PNG pictures or as Kaggle CSV files.",
        discussion: """
            Folders: DIR/train/<class>/<index>.png and DIR/test/<class>/<index>.png with DIR/classes.txt \
            (the class folders in the dataset's order); --data DIR reads them back with the same pixels, \
            labels and order. CSV: DIR/<name>_train.csv and DIR/<name>_test.csv (label,pixel1,...).
            """)

    @OptionGroup var dataset: DatasetOptions

    @Option(help: "folders or csv.")
    var format: String = "folders"

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("The folder to write into.", valueName: "dir"))
    var output: String

    func validate() throws {
        guard DatasetExport.Format(rawValue: format) != nil else {
            throw ValidationError("--format: expected folders or csv, found '\(format)'")
        }
    }

    func run() throws {
        let loaded = try dataset.load()
        let folder = URL(fileURLWithPath: output)
        let files = try DatasetExport.write(loaded, format: DatasetExport.Format(rawValue: format)!, to: folder)
        print(
            "Wrote \(loaded.train.count) training and \(loaded.test.count) test images of \(loaded.name) as \(format) "
                + "into \(folder.path) (\(files) files)")
    }
}
