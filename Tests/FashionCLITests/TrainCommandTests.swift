import Studies
import FashionData
import Foundation
import NeuralNet
import Testing
import _TestSupport

/// Training on the real Fashion-MNIST data.
@Suite struct TrainCommandTests {
    func environment() -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["COLUMNS"] = "100"
        env["FASHION_MNIST_DIR"] = nil
        return env
    }

    func realData() throws -> Dataset {
        try #require(RealData.isPresent, Comment(rawValue: RealData.missingMessage))
        return try Dataset.load(from: DatasetLocator.locate(explicit: RealData.folder, environment: [:]))
    }

    @Test func model1ReachesEightyFivePercentInTwoEpochs() throws {
        let dataset = try realData()
        let preset = Preset.named("model1")!
        let model = try Sequential(specification: preset.model, seed: 1)
        var options = preset.options
        options.epochs = 2
        options.seed = 1
        let history = try Trainer.fit(model, on: dataset.train, options: options)
        #expect(history.epochs.count == 2)
        #expect(history.epochs[1].loss < history.epochs[0].loss)
        let test = Trainer.evaluate(model, on: dataset.test)
        #expect(test.accuracy >= 0.85, "test accuracy \(test.accuracy)")
    }

    @Test func trainWritesAModelThatPythonSafetensorsOpens() throws {
        _ = try realData()
        let out = try TemporaryFolder()
        defer { out.remove() }
        let file = out.file("m1.safetensors")
        let result = try CommandRunner.run(
            ["train", "--preset", "model1", "--epochs", "1", "--data", RealData.folder.path, "-o", file.path], environment: environment())
        #expect(result.status == 0, Comment(rawValue: result.standardError))
        #expect(result.standardOutput.contains("Total params: 50890"))
        #expect(result.standardOutput.contains("Epoch 1/1 - "))
        #expect(result.standardOutput.contains("val_accuracy: 0.8"))
        #expect(FileManager.default.fileExists(atPath: out.file("m1.history.json").path))
        let loaded = try ModelFile.read(from: file)
        #expect(loaded.classNames[6] == "Shirt")
        #expect(loaded.training?.epochs == 1)

        let script = """
            import json, sys
            from safetensors import safe_open
            with safe_open(sys.argv[1], framework="numpy") as f:
                meta = f.metadata()
                print(" ".join(sorted(f.keys())), f.get_tensor("0.kernel").shape, meta["format"], json.loads(meta["class_names"])[9])
            """
        let python = try CommandRunner.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script, file.path])
        #expect(python.status == 0, Comment(rawValue: python.standardError))
        #expect(python.standardOutput == "0.bias 0.kernel 2.bias 2.kernel (784, 64) fashion-model Ankle boot\n")
    }

    @Test func badArchitecturesAreExplained() throws {
        let folder = try realData().location.folder.path
        let preset = try CommandRunner.run(["train", "--preset", "model9", "--data", folder], environment: environment())
        #expect(preset.status != 0)
        #expect(preset.standardError.contains("--preset: expected one of model1, model2, model3, found 'model9'"))
        let classes = try CommandRunner.run(["train", "--model", "784-32-5", "--epochs", "1", "--data", folder], environment: environment())
        #expect(classes.status != 0)
        #expect(classes.standardError.contains("the model has 5 outputs but the dataset has 10 classes"))
        let inputs = try CommandRunner.run(["train", "--model", "100-10", "--data", folder], environment: environment())
        #expect(inputs.standardError.contains("the model takes 100 inputs but the images have 784 pixels"))
    }
}
