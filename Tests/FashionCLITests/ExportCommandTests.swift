import Foundation
import Testing
import _TestSupport

/// `fashion export` as a user runs it.
@Suite(.timeLimit(.minutes(10))) struct ExportCommandTests {
    static let oldModel = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("NeuralNetTests/Fixtures/model-format-1.safetensors")

    @Test func exportWritesTheFileAndItsCardAndRefusesBadRequests() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let out = temp.file("m.onnx")
        let result = try await CommandRunner.run(
            ["export", "--model", Self.oldModel.path, "-o", out.path, "--test-accuracy", "0.79"])
        #expect(result.status == 0, Comment(rawValue: result.standardError))
        #expect(result.standardOutput.hasPrefix("Wrote \(out.path) (ONNX IR 10, opset 21) and \(out.path).json\n"))
        #expect(result.standardOutput.contains("Input 'input' [N, 784] float32"))
        let card =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out.path + ".json")))
            as? [String: Any]
        #expect(card?["testAccuracy"] as? Double == 0.79 && (card?["classNames"] as? [String])?.count == 10)
        #expect(try Data(contentsOf: out).count > 50_000)

        let format = try await CommandRunner.run([
            "export", "--model", Self.oldModel.path, "-o", out.path, "--format", "tflite",
        ])
        #expect(format.status != 0 && format.standardError.contains("--format: expected onnx, found 'tflite'"))
        let missing = try await CommandRunner.run([
            "export", "--model", Self.oldModel.path, "-o", temp.file("no/m.onnx").path,
        ])
        #expect(
            missing.status != 0
                && missing.standardError.contains("output: the folder \(temp.file("no").path) does not exist"))
        let absent = try await CommandRunner.run([
            "export", "--model", temp.file("absent.safetensors").path, "-o", out.path,
        ])
        #expect(absent.status != 0 && absent.standardError.contains("absent.safetensors: cannot read the file"))
    }
}
