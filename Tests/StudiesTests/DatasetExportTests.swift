import FashionData
import Foundation
import Testing
import _TestSupport

@testable import Studies

/// `fashion data export`: folders and CSV that read back as the same dataset.
@Suite(.timeLimit(.minutes(10))) struct DatasetExportTests {
    @Test(.enabled(if: RealData.isPresent, Comment(rawValue: RealData.missingMessage)))
    func aFolderRoundTripGivesTheIDXPixelsLabelsAndOrder() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let full = try Dataset.load(from: DatasetLocator.locate())
        // The first 600 training and 200 test images, as a dataset of their own.
        let subset = Dataset(
            name: full.name, classNames: full.classNames, train: full.train.subset(0..<600),
            test: full.test.subset(0..<200), location: full.location, catalogueEntry: nil)
        let folder = temp.file("folders")
        #expect(try DatasetExport.write(subset, format: .folders, to: folder) == 801)
        #expect(
            try String(contentsOf: folder.appendingPathComponent("classes.txt"), encoding: .utf8)
                .hasPrefix("T-shirt-top\nTrouser\nPullover\n"))
        let back = try Dataset.load(from: DatasetLocator.locate(explicit: folder))
        #expect(back.classNames == DatasetExport.folderNames(full.classNames))
        #expect(back.train == subset.train)
        #expect(back.test == subset.test)

        let csv = temp.file("csv")
        try DatasetExport.write(subset, format: .csv, to: csv)
        let fromCSV = try Dataset.load(from: DatasetLocator.locate(explicit: csv))
        #expect(fromCSV.train == subset.train && fromCSV.test == subset.test)
    }

    @Test func aTaggedDatasetExportsAsManifestsThatReadBack() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        try TagFixtures.writeQuadrants(to: temp.file("tags"), train: 12, test: 5)
        let tagged = try Dataset.load(from: DatasetLocator.locate(explicit: temp.file("tags"), environment: [:]))
        #expect(try DatasetExport.write(tagged, format: .folders, to: temp.file("out")) == 17 + 3)
        let back = try Dataset.load(from: DatasetLocator.locate(explicit: temp.file("out"), environment: [:]))
        #expect(back.classNames == tagged.classNames)
        #expect(back.train == tagged.train && back.test == tagged.test)
        #expect(throws: StudyError.self) { try DatasetExport.write(tagged, format: .csv, to: temp.file("csv")) }
    }
}
