import FashionData
import Foundation
import NeuralNet
import NumericCore
import Testing
import _TestSupport

/// A shop's photos as a dataset: folders of colour JPEG pictures, trained on, described and
/// predicted from with the CLI.
@Suite(.timeLimit(.minutes(10))) struct FolderDataTests {
    /// `perClass` colour photos of 20x14 per class: a tinted block on a light background.
    static func photoFolder(at root: URL, perClass: Int) throws {
        let tints: [(UInt8, UInt8, UInt8)] = [(200, 40, 40), (40, 160, 60), (50, 60, 200)]
        for split in ["train", "test"] {
            for (label, name) in ["red", "green", "blue"].enumerated() {
                let folder = root.appendingPathComponent(split).appendingPathComponent(name)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for n in 0..<(split == "train" ? perClass : 4) {
                    var pixels = [UInt8]()
                    for y in 0..<14 {
                        for x in 0..<20 {
                            let inside = abs(x - 10 - n % 3) < 5 && abs(y - 7) < 4 + label
                            let tint = tints[label]
                            pixels += inside ? [tint.0, tint.1, tint.2] : [240, 238, 235]
                        }
                    }
                    let bytes = TestJPEG.encode(width: 20, height: 14, channels: 3, pixels: pixels)
                    try Data(bytes).write(to: folder.appendingPathComponent("\(split)-\(label)-\(n).jpg"))
                }
            }
        }
    }

    @Test func trainOnColourPhotosThenPredictOne() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let data = temp.file("photos")
        try Self.photoFolder(at: data, perClass: 12)
        let environment = CommandRunner.stableEnvironment().merging(["XDG_CACHE_HOME": temp.file("cache").path]) { $1 }

        let info = try await CommandRunner.run(
            CommandRunner.executable, ["data", "info", "--data", data.path, "--image-size", "16"],
            environment: environment)
        #expect(info.status == 0, Comment(rawValue: info.standardError))
        #expect(info.standardOutput.contains("Format       folders: train, test"))
        #expect(info.standardOutput.contains("Images       16x16 RGB, 3 classes"))

        let model = temp.file("shop.safetensors")
        let trained = try await CommandRunner.run(
            CommandRunner.executable,
            [
                "train", "--data", data.path, "--image-size", "16", "--preset", "cnn-small", "--epochs", "2",
                "--output", model.path, "--no-store",
            ], environment: environment)
        #expect(trained.status == 0, Comment(rawValue: trained.standardError))
        #expect(trained.standardOutput.contains("(None, 16, 16, 32)"))
        let file = try ModelFile.read(from: model)
        #expect(file.preprocessing.image == ImageShape(height: 16, width: 16, channels: 3))
        #expect(file.preprocessing.photos == .letterbox)
        #expect(file.classNames == ["blue", "green", "red"])

        let photo = data.appendingPathComponent("test/red/test-0-0.jpg")
        let predicted = try await CommandRunner.run(
            CommandRunner.executable, ["predict", "--model", model.path, photo.path], environment: environment)
        #expect(predicted.status == 0, Comment(rawValue: predicted.standardError))
        #expect(predicted.standardOutput.hasPrefix("\(photo.path): "))

        // Judged on the same folders without repeating the flags: prepared as the model was trained.
        let evaluated = try await CommandRunner.run(
            CommandRunner.executable,
            ["evaluate", "--model", model.path, "--data", data.path, "--output", temp.file("eval").path],
            environment: environment)
        #expect(evaluated.status == 0, Comment(rawValue: evaluated.standardError))
        #expect(evaluated.standardOutput.contains("Accuracy "))
        // Another size than the model's is refused with both named.
        let wrong = try await CommandRunner.run(
            CommandRunner.executable,
            [
                "evaluate", "--model", model.path, "--data", data.path, "--image-size", "20", "--output",
                temp.file("e2").path,
            ],
            environment: environment)
        #expect(wrong.status != 0)
        #expect(
            wrong.standardError.contains(
                "--image-size 20x20 disagrees with the model \(model.path), which takes 16x16"),
            Comment(rawValue: wrong.standardError))
    }

    /// A model of grayscale pictures at another size than the photos' own is judged on the colour
    /// folders it was trained on without `--image-size` or `--color`; `--color rgb` is refused.
    @Test func evaluateTakesTheModelsSizeAndColour() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let data = temp.file("photos")
        try Self.photoFolder(at: data, perClass: 6)
        let environment = CommandRunner.stableEnvironment().merging(["XDG_CACHE_HOME": temp.file("cache").path]) { $1 }
        let model = temp.file("grey.safetensors")
        let trained = try await CommandRunner.run(
            CommandRunner.executable,
            [
                "train", "--data", data.path, "--image-size", "12", "--color", "grayscale", "--model", "144-16-3",
                "--epochs", "1", "--val-split", "0", "--output", model.path, "--no-store",
            ], environment: environment)
        #expect(trained.status == 0, Comment(rawValue: trained.standardError))
        #expect(try ModelFile.read(from: model).preprocessing.image == ImageShape(height: 12, width: 12, channels: 1))

        let evaluated = try await CommandRunner.run(
            CommandRunner.executable, ["evaluate", "--model", model.path, "--data", data.path, "--json"],
            environment: environment)
        #expect(evaluated.status == 0, Comment(rawValue: evaluated.standardError))
        #expect(evaluated.standardOutput.contains("\"accuracy\""), Comment(rawValue: evaluated.standardOutput))

        let colour = try await CommandRunner.run(
            CommandRunner.executable, ["evaluate", "--model", model.path, "--data", data.path, "--color", "rgb"],
            environment: environment)
        #expect(colour.status != 0)
        #expect(
            colour.standardError.contains("--color rgb disagrees with the model \(model.path), which takes grayscale"),
            Comment(rawValue: colour.standardError))
    }

    @Test func badPicturesStopTheCommandOrAreSkippedWhenAsked() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let data = temp.file("photos")
        try Self.photoFolder(at: data, perClass: 3)
        let broken = data.appendingPathComponent("train/red/broken.jpg")
        try Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 9, 9]).write(to: broken)
        let environment = CommandRunner.stableEnvironment().merging(["XDG_CACHE_HOME": temp.file("cache").path]) { $1 }
        let stopped = try await CommandRunner.run(
            CommandRunner.executable, ["data", "info", "--data", data.path], environment: environment)
        #expect(stopped.status != 0)
        #expect(stopped.standardError.contains(broken.path))
        let skipped = try await CommandRunner.run(
            CommandRunner.executable, ["data", "info", "--data", data.path, "--skip-bad-images"],
            environment: environment)
        #expect(skipped.status == 0, Comment(rawValue: skipped.standardError))
        #expect(skipped.standardError.contains("skipped: \(broken.path): "))
    }

    /// `train --from`: a trained model fine-tuned on photo folders of other classes keeps its
    /// weights but for a new last layer, takes the photos as the model was trained on them, and
    /// trains only that layer for the frozen epochs.
    @Test func fineTuningAModelOnPhotosOfOtherClasses() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let source = temp.file("tiny.safetensors")
        try TinyModel.write(to: source)
        let data = temp.file("photos")
        try Self.photoFolder(at: data, perClass: 8)
        for split in ["train", "test"] {
            try FileManager.default.removeItem(at: data.appendingPathComponent(split).appendingPathComponent("blue"))
        }
        let environment = CommandRunner.stableEnvironment().merging(["XDG_CACHE_HOME": temp.file("cache").path]) { $1 }
        let model = temp.file("tuned.safetensors")
        let tuned = try await CommandRunner.run(
            CommandRunner.executable,
            [
                "train", "--data", data.path, "--from", source.path, "--epochs", "3", "--freeze-epochs", "1",
                "--output", model.path, "--no-store",
            ], environment: environment)
        #expect(tuned.status == 0, Comment(rawValue: tuned.standardError))
        #expect(
            tuned.standardOutput.contains(
                "Fine-tuning \(source.path): 8 of 9 layers' weights copied; new: layer 7; only the last dense "
                    + "layer on for 1 epoch(s)"), Comment(rawValue: tuned.standardOutput))
        let file = try ModelFile.read(from: model)
        let before = try ModelFile.read(from: source)
        #expect(file.classNames == ["green", "red"])
        #expect(file.preprocessing == before.preprocessing)
        #expect(file.model.outputSize == 2)
        #expect(file.model.snapshot()[0] != before.model.snapshot()[0])  // every layer trained after the first epoch

        let evaluated = try await CommandRunner.run(
            CommandRunner.executable, ["evaluate", "--model", model.path, "--data", data.path, "--json"],
            environment: environment)
        #expect(evaluated.status == 0, Comment(rawValue: evaluated.standardError))

        let both = try await CommandRunner.run(
            CommandRunner.executable,
            ["train", "--data", data.path, "--from", source.path, "--preset", "cnn-small", "--no-store"],
            environment: environment)
        #expect(both.status != 0)
        #expect(both.standardError.contains("--from: the architecture is the model file's"))
    }
}
