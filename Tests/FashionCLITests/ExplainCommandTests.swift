import FashionData
import Foundation
import Reports
import Testing
import _TestSupport

/// `fashion explain` as a user runs it, on the committed model file and a drawn photo.
@Suite struct ExplainCommandTests {
    static let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("NeuralNetTests/Fixtures/model-format-1.safetensors")

    @Test func explainWritesThePictureAndTheMapsAndRefusesBadRequests() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        var canvas = Canvas(width: 60, height: 90, background: .white)
        canvas.fill(x: 15, y: 5, width: 30, height: 15, colour: Colour(30, 30, 60))
        canvas.fill(x: 15, y: 5, width: 12, height: 80, colour: Colour(30, 30, 60))
        canvas.fill(x: 33, y: 5, width: 12, height: 80, colour: Colour(30, 30, 60))
        let photo = temp.file("trousers.png")
        try Data(PNGEncoder.encode(canvas)).write(to: photo)

        let text = try CommandRunner.run([
            "explain", "--model", Self.model.path, photo.path, "-o", temp.file("out").path,
        ])
        #expect(text.status == 0, Comment(rawValue: text.standardError))
        #expect(text.standardOutput.contains("(completeness: the map sums to within"))
        let picture = try PNGDecoder.decode([UInt8](Data(contentsOf: temp.file("out/explanations.png"))), path: "p")
        #expect(picture.width >= 3 * 28 * 4 && picture.height > 28 * 4)

        let json = try CommandRunner.run([
            "explain", "--model", Self.model.path, photo.path, "--method", "occlusion", "--class", "Trouser", "--json",
            "-o", temp.file("out").path,
        ])
        let document = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any]
        let item = (document?["items"] as? [[String: Any]])?.first
        #expect(document?["method"] as? String == "occlusion")
        #expect(item?["className"] as? String == "Trouser" && (item?["map"] as? [Double])?.count == 784)

        let badClass = try CommandRunner.run([
            "explain", "--model", Self.model.path, photo.path, "--class", "12", "-o", temp.file("o").path,
        ])
        #expect(
            badClass.status != 0 && badClass.standardError.contains("--class: expected a class of the model, 0...9"))
        let gradCAM = try CommandRunner.run([
            "explain", "--model", Self.model.path, photo.path, "--method", "grad-cam", "-o", temp.file("o").path,
        ])
        #expect(
            gradCAM.status != 0
                && gradCAM.standardError.contains("grad-cam needs a model with a layer whose output is an image"))
        let name = try CommandRunner.run([
            "explain", "--model", Self.model.path, photo.path, "--class", "Hat", "-o", temp.file("o").path,
        ])
        #expect(name.status != 0 && name.standardError.contains("--class: expected an index or one of T-shirt/top"))
    }
}
