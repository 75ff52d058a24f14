import FashionData
import Foundation
import Reports
import Testing
import _TestSupport

/// `fashion explain` as a user runs it, on the committed model file and a drawn photo.
@Suite(.timeLimit(.minutes(10))) struct ExplainCommandTests {
    static let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("NeuralNetTests/Fixtures/model-format-1.safetensors")

    @Test func explainWritesThePictureAndTheMapsAndRefusesBadRequests() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        var canvas = Canvas(width: 60, height: 90, background: .white)
        canvas.fill(x: 15, y: 5, width: 30, height: 15, colour: Colour(30, 30, 60))
        canvas.fill(x: 15, y: 5, width: 12, height: 80, colour: Colour(30, 30, 60))
        canvas.fill(x: 33, y: 5, width: 12, height: 80, colour: Colour(30, 30, 60))
        let photo = temp.file("trousers.png")
        try Data(PNGEncoder.encode(canvas)).write(to: photo)

        let text = try await CommandRunner.run([
            "explain", "--model", Self.model.path, photo.path, "-o", temp.file("out").path,
        ])
        #expect(text.status == 0, Comment(rawValue: text.standardError))
        #expect(text.standardOutput.contains("(completeness: the map sums to within"))
        let picture = try PNGDecoder.decode([UInt8](Data(contentsOf: temp.file("out/explanations.png"))), path: "p")
        #expect(picture.width >= 3 * 28 * 4 && picture.height > 28 * 4)

        let json = try await CommandRunner.run([
            "explain", "--model", Self.model.path, photo.path, "--method", "occlusion", "--class", "Trouser", "--json",
            "-o", temp.file("out").path,
        ])
        let document = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any]
        let item = (document?["items"] as? [[String: Any]])?.first
        #expect(document?["method"] as? String == "occlusion")
        #expect(item?["className"] as? String == "Trouser" && (item?["map"] as? [Double])?.count == 784)

        let badClass = try await CommandRunner.run([
            "explain", "--model", Self.model.path, photo.path, "--class", "12", "-o", temp.file("o").path,
        ])
        #expect(
            badClass.status != 0 && badClass.standardError.contains("--class: expected a class of the model, 0...9"))
        let gradCAM = try await CommandRunner.run([
            "explain", "--model", Self.model.path, photo.path, "--method", "grad-cam", "-o", temp.file("o").path,
        ])
        #expect(
            gradCAM.status != 0
                && gradCAM.standardError.contains("grad-cam needs a model with a layer whose output is an image"))
        let name = try await CommandRunner.run([
            "explain", "--model", Self.model.path, photo.path, "--class", "Hat", "-o", temp.file("o").path,
        ])
        #expect(name.status != 0 && name.standardError.contains("--class: expected an index or one of T-shirt/top"))
    }

    @Test func smoothGradAndTheLogProbability() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let images = temp.file("images-idx3-ubyte")
        try Data(IDX.encode(dimensions: [3, 28, 28], values: Fixtures.pixels(count: 3, rows: 28, columns: 28)))
            .write(to: images)
        func maps(_ extra: [String]) async throws -> (document: [String: Any], maps: [[Double]]) {
            let run = try await CommandRunner.run(
                ["explain", "--model", Self.model.path, images.path, "--json", "-o", temp.file("out").path] + extra)
            #expect(run.status == 0, Comment(rawValue: run.standardError))
            let document = try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any]
            let items = document?["items"] as? [[String: Any]] ?? []
            return (document ?? [:], items.compactMap { $0["map"] as? [Double] })
        }
        let plain = try await maps([])
        let smooth = try await maps(["--smooth-samples", "4", "--steps", "8", "--score", "log-probability"])
        #expect(plain.document["score"] as? String == "logit" && plain.document["smoothSamples"] as? Int == 0)
        #expect(
            smooth.document["score"] as? String == "log-probability" && smooth.document["smoothSamples"] as? Int == 4)
        #expect(smooth.maps.count == 3 && smooth.maps != plain.maps)
        await #expect(
            try maps(["--smooth-samples", "4", "--steps", "8", "--score", "log-probability"]).maps == smooth.maps)

        for (extra, message) in [
            (["--method", "occlusion", "--smooth-samples", "4"], "--smooth-samples: SmoothGrad is for gradient"),
            (["--smooth-samples=-2"], "--smooth-samples: expected 1...256 noisy copies, found -2"),
            (["--smooth-samples", "2", "--smooth-noise", "3"], "--smooth-noise: expected a deviation of 0...1"),
            (["--score", "probability"], "Please provide one of 'logit' and 'log-probability'"),
        ] {
            let run = try await CommandRunner.run(
                ["explain", "--model", Self.model.path, images.path, "-o", temp.file("o").path] + extra)
            #expect(run.status != 0 && run.standardError.contains(message), Comment(rawValue: run.standardError))
        }
    }

    /// `fashion explain` with two models: each image's map is the mean of the members' maps of
    /// the same class, integrated gradients' completeness holds for that mean, and members that
    /// name other classes are refused.
    @Test func anEnsemblesMapIsTheMeanOfItsMembersMaps() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        try await trainEnsembleMembers(in: temp)
        let images = temp.file("data/t10k-images-idx3-ubyte.gz").path
        func explain(_ models: [String], _ extra: [String]) async throws -> [[String: Any]] {
            let run = try await CommandRunner.run(
                ["explain", images, "--indices", "0,3", "--json", "-o", temp.file("out").path] + extra
                    + models.flatMap { ["--model", temp.file("\($0).safetensors").path] })
            #expect(run.status == 0, Comment(rawValue: run.standardError))
            let document = try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any]
            if models.count > 1 {
                #expect(
                    (document?["model"] as? String)?.hasSuffix("a.safetensors+\(temp.file("b.safetensors").path)")
                        == true)
            }
            return document?["items"] as? [[String: Any]] ?? []
        }
        let gradient = ["--method", "gradient", "--class", "2"]
        let (a, b, both) = await (
            try explain(["a"], gradient), try explain(["b"], gradient), try explain(["a", "b"], gradient)
        )
        #expect(both.count == 2 && a.count == 2 && b.count == 2)
        var differs = false
        for i in both.indices {
            let (mapA, mapB) = (a[i]["map"] as? [Double] ?? [], b[i]["map"] as? [Double] ?? [])
            let map = both[i]["map"] as? [Double] ?? []
            #expect(map.count == 16 && mapA.count == 16 && both[i]["className"] as? String == "c")  // 4x4 images
            let scale = max(1e-6, mapA.map(abs).max() ?? 0, mapB.map(abs).max() ?? 0)
            for j in map.indices where j < mapA.count && j < mapB.count {
                #expect(abs(map[j] - (mapA[j] + mapB[j]) / 2) <= 1e-6 * scale, "image \(i), pixel \(j)")
            }
            differs = differs || zip(mapA, mapB).contains { abs($0 - $1) > 1e-4 * scale }
            // The ensemble's probability of the class is the mean of the members'.
            let (pa, pb) = (a[i]["probability"] as? Double ?? -1, b[i]["probability"] as? Double ?? -1)
            #expect(abs((both[i]["probability"] as? Double ?? 0) - (pa + pb) / 2) <= 1e-6)
        }
        #expect(differs, "the two members should not be the same model")

        for item in try await explain(["a", "b"], ["--steps", "128"]) {
            let difference = try #require(item["scoreDifference"] as? Double)
            let delta = try #require(item["completenessDelta"] as? Double)
            #expect(delta <= 1e-3 * max(1, abs(difference)), "completeness: \(delta) of \(difference)")
        }

        let mismatched = try await CommandRunner.run([
            "explain", images, "--model", temp.file("a.safetensors").path, "--model", temp.file("e.safetensors").path,
            "-o", temp.file("o").path,
        ])
        #expect(
            mismatched.status != 0 && mismatched.standardError.contains("must name the same classes in the same order"),
            Comment(rawValue: mismatched.standardError))
    }
}
