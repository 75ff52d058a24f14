import Foundation
import Testing
import _TestSupport

/// `fashion quantize` as a user runs it, and the file it writes in evaluate and predict.
@Suite(.timeLimit(.minutes(10))) struct QuantizeCommandTests {
    @Test func quantizeWritesAModelThatEvaluateAndPredictTakeAndRefusesBadRequests() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let images = Fixtures.images(count: 120, rows: 8, columns: 8, classCount: 3)
        let folder = try Fixtures.writeIDXFolder(temp.file("data"), train: images, test: images).path
        try "tee\ntrouser\nbag\n".write(to: temp.file("data/classes.txt"), atomically: true, encoding: .utf8)
        let model = temp.file("m.safetensors").path
        let trained = try await CommandRunner.run([
            "train", "--model", "64-16-3", "--epochs", "3", "--data", folder, "--no-store", "-o", model,
        ])
        #expect(trained.status == 0, Comment(rawValue: trained.standardError))
        let quantized = temp.file("q.safetensors").path
        let result = try await CommandRunner.run([
            "quantize", "--model", model, "--data", folder, "--calibration", "40", "-o", quantized,
        ])
        #expect(result.status == 0, Comment(rawValue: result.standardError))
        #expect(
            result.standardOutput.contains(
                "Wrote \(quantized): 2 layers int8 (0 convolutions, 2 dense), calibrated on 40 training images"))
        #expect(result.standardOutput.contains("validation images the model held out (no flip averaging): accuracy"))

        let evaluated = try await CommandRunner.run(["evaluate", "--model", quantized, "--data", folder, "--json"])
        #expect(evaluated.status == 0, Comment(rawValue: evaluated.standardError))
        let metrics = try JSONSerialization.jsonObject(with: Data(evaluated.standardOutput.utf8)) as? [String: Any]
        #expect(metrics?["accuracy"] as? Double != nil, "\(evaluated.standardOutput.prefix(300))")
        let text = try await CommandRunner.run(["evaluate", "--model", quantized, "--data", folder])
        #expect(
            text.standardOutput.contains("is quantized, int8: 2 layers 8-bit"),
            "\(text.standardOutput.prefix(400))")
        let predicted = try await CommandRunner.run([
            "predict", "--model", quantized, temp.file("data/t10k-images-idx3-ubyte.gz").path,
        ])
        #expect(predicted.status == 0, Comment(rawValue: predicted.standardError))
        #expect(predicted.standardOutput.split(separator: "\n").count == 120)

        let again = try await CommandRunner.run([
            "quantize", "--model", quantized, "--data", folder, "-o", temp.file("qq.safetensors").path,
        ])
        #expect(again.status != 0 && again.standardError.contains("is already quantized (int8)"))
        let tuned = try await CommandRunner.run([
            "train", "--from", quantized, "--data", folder, "--no-store", "-o", temp.file("t").path,
        ])
        #expect(tuned.status != 0 && tuned.standardError.contains("is quantized (int8), for inference only"))
        let none = try await CommandRunner.run([
            "quantize", "--model", model, "--data", folder, "--calibration", "0", "-o", quantized,
        ])
        #expect(none.standardError.contains("--calibration: expected at least 1 image, found 0"))
        let many = try await CommandRunner.run([
            "quantize", "--model", model, "--data", folder, "--calibration", "5000", "-o", temp.file("x").path,
        ])
        #expect(many.status != 0 && many.standardError.contains("--calibration: 5000 images asked for"))
        let few = try await CommandRunner.run([
            "quantize", "--model", model, "--data", folder, "--calibration", "8", "-o", temp.file("f").path,
        ])
        #expect(few.status == 0 && few.standardOutput.contains("fewer than a batch"))
        let precision = try await CommandRunner.run([
            "quantize", "--model", model, "--precision", "bf16", "--data", folder, "-o", temp.file("b").path,
        ])
        #expect(precision.status != 0 && precision.standardError.contains("bf16"))
    }
}
