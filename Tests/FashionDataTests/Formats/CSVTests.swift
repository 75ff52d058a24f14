import FashionData
import Foundation
import Testing
import _TestSupport

@Suite(.timeLimit(.minutes(10))) struct CSVTests {
    @Test func readsKaggleLayout() throws {
        let images = Fixtures.images(count: 5, rows: 3, columns: 3)
        let parsed = try CSV.parse(Array(Fixtures.csv(images).utf8), path: "t.csv")
        #expect(parsed == images)
    }

    @Test func acceptsCRLFAndATrailingBlankLine() throws {
        let text = "label,p1,p2,p3,p4\r\n1,0,255,3,4\r\n0,9,8,7,6\r\n\r\n"
        let parsed = try CSV.parse(Array(text.utf8), path: "t.csv")
        #expect(parsed.labels == [1, 0])
        #expect(parsed.pixels == [0, 255, 3, 4, 9, 8, 7, 6])
        #expect(parsed.rows == 2 && parsed.columns == 2)
    }

    @Test func aHeaderWithoutRowsIsNoDataset() {
        let error = #expect(throws: DataError.self) { try CSV.parse(Array("label,p1,p2,p3,p4\n".utf8), path: "t.csv") }
        #expect(error?.description == "t.csv: a header and no images: expected at least one row of label and pixels")
    }

    @Test func rowWithTooFewColumnsNamesTheLine() {
        let text = "label,p1,p2,p3,p4\n1,0,255,3,4\n0,9,8\n"
        #expect(throws: DataError.csvColumns(path: "t.csv", line: 3, expected: 5, found: 3)) {
            try CSV.parse(Array(text.utf8), path: "t.csv")
        }
    }

    @Test func rowWithTooManyColumnsNamesTheLine() {
        let text = "label,p1,p2,p3,p4\n1,0,255,3,4,5\n"
        #expect(throws: DataError.csvColumns(path: "t.csv", line: 2, expected: 5, found: 6)) {
            try CSV.parse(Array(text.utf8), path: "t.csv")
        }
    }

    @Test(arguments: ["256", "-1", "1.5", "", "abc", "1000"])
    func pixelOutsideTheByteRangeIsRejected(value: String) {
        let text = "label,p1,p2,p3,p4\n1,0,\(value),3,4\n"
        let error = #expect(throws: DataError.self) { try CSV.parse(Array(text.utf8), path: "t.csv") }
        #expect(error?.description == "t.csv, line 2, column 3: expected a pixel value 0...255, found '\(value)'")
    }

    @Test func headerMustStartWithLabel() {
        let error = #expect(throws: DataError.self) { try CSV.parse(Array("1,2,3,4,5\n".utf8), path: "t.csv") }
        #expect(error?.description.contains("expected a header row starting with 'label'") == true)
    }

    @Test func nonSquarePixelCountNeedsAnExplicitSize() throws {
        let text = "label,a,b,c,d,e,f\n1,1,2,3,4,5,6\n"
        #expect(throws: DataError.self) { try CSV.parse(Array(text.utf8), path: "t.csv") }
        let parsed = try CSV.parse(Array(text.utf8), path: "t.csv", rows: 2, columns: 3)
        #expect(parsed.rows == 2 && parsed.columns == 3)
    }

    @Test func folderWithTrainAndTestCSVLoads() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let train = Fixtures.images(count: 9, rows: 2, columns: 2, classCount: 3)
        let test = Fixtures.images(count: 3, rows: 2, columns: 2, classCount: 3)
        try Fixtures.csv(train).write(to: temp.file("fashion-mnist_train.csv"), atomically: true, encoding: .utf8)
        try Data(Fixtures.gzip(Array(Fixtures.csv(test).utf8))).write(to: temp.file("fashion-mnist_test.csv.gz"))
        try "red\ngreen\nblue\n".write(to: temp.file("classes.txt"), atomically: true, encoding: .utf8)
        let dataset = try Dataset.load(from: DatasetLocator.locate(explicit: temp.url, environment: [:]))
        #expect(dataset.train == train)
        #expect(dataset.test == test)
        #expect(dataset.classNames == ["red", "green", "blue"])
        #expect(dataset.catalogueEntry == nil)
    }
}
