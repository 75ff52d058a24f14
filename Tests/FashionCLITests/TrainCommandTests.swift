import FashionData
import Foundation
import Inference
import NeuralNet
import Studies
import Testing
import _SQLiteStore
import _TestSupport

/// Training on the real Fashion-MNIST data.
@Suite(.timeLimit(.minutes(10))) struct TrainCommandTests {
    func environment() -> [String: String] { CommandRunner.stableEnvironment() }

    func realData() throws -> Dataset {
        try #require(RealData.isPresent, Comment(rawValue: RealData.missingMessage))
        return try Dataset.load(from: DatasetLocator.locate(explicit: RealData.folder, environment: [:]))
    }

    @Test(.enabled(if: RealData.isPresent, Comment(rawValue: RealData.missingMessage)))
    func model1ReachesEightyFivePercentInTwoEpochs() throws {
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

    @Test(.enabled(if: RealData.isPresent, Comment(rawValue: RealData.missingMessage)))
    func trainWritesAModelThatPythonSafetensorsOpens() async throws {
        _ = try realData()
        let out = try TemporaryFolder()
        defer { out.remove() }
        let file = out.file("m1.safetensors")
        let result = try await CommandRunner.run(
            [
                "train", "--preset", "model1", "--epochs", "1", "--data", RealData.folder.path, "-o", file.path,
                "--store", out.file("store.sqlite").path,
            ], environment: environment())
        #expect(result.status == 0, Comment(rawValue: result.standardError))
        #expect(result.standardOutput.contains("Total params: 50890"))
        #expect(result.standardOutput.contains("Epoch 1/1 - "))
        #expect(result.standardOutput.contains("val_accuracy: 0.8"))
        #expect(FileManager.default.fileExists(atPath: out.file("m1.history.json").path))
        #expect(result.standardOutput.contains("Recorded as run 1 in \(out.file("store.sqlite").path)"))
        let loaded = try ModelFile.read(from: file)
        #expect(loaded.classNames[6] == "Shirt")
        #expect(loaded.training?.epochs == 1)

        let script = """
            import json, sys
            from safetensors import safe_open
            with safe_open(sys.argv[1], framework="numpy") as f:
                meta = f.metadata()
                print(" ".join(sorted(f.keys())), f.get_tensor("0.kernel").shape, meta["format"], \
                json.loads(meta["class_names"])[9])
            """
        let python = try await CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script, file.path])
        #expect(python.status == 0, Comment(rawValue: python.standardError))
        #expect(python.standardOutput == "0.bias 0.kernel 2.bias 2.kernel (784, 64) fashion-model Ankle boot\n")
    }

    @Test(.enabled(if: RealData.isPresent, Comment(rawValue: RealData.missingMessage)))
    func badArchitecturesAreExplained() async throws {
        let folder = try realData().location.folder.path
        let preset = try await CommandRunner.run(
            ["train", "--preset", "model9", "--data", folder, "--no-store"], environment: environment())
        #expect(preset.status != 0)
        #expect(
            preset.standardError.contains(
                "--preset: expected one of model1, model2, model3, cnn-reference, strong-mlp, cnn-small, cnn-best, "
                    + "found 'model9'"
            ))
        let classes = try await CommandRunner.run(
            ["train", "--model", "784-32-5", "--epochs", "1", "--data", folder, "--no-store"],
            environment: environment())
        #expect(classes.status != 0)
        #expect(classes.standardError.contains("the model has 5 outputs but the dataset has 10 classes"))
        let flip = try await CommandRunner.run(
            ["train", "--model", "784-10", "--flip", "2", "--data", folder, "--no-store"], environment: environment())
        #expect(flip.status != 0 && flip.standardError.contains("--flip: expected a probability in [0, 1], found 2.0"))
        let inputs = try await CommandRunner.run(
            ["train", "--model", "100-10", "--data", folder, "--no-store"], environment: environment())
        #expect(inputs.standardError.contains("the model takes 100 inputs but the images have 784 pixels"))
    }
}

/// The run store shared by real processes.
@Suite(.timeLimit(.minutes(10))) struct RunStoreCommandTests {
    /// Processes opening a store that does not exist yet, all at once. Without the lock
    /// around opening, about one in ten failed with "database is locked" (the switch to WAL
    /// mode) or "table already exists" (two migrations).
    @Test func processesOpeningAFreshStoreAtOnceAllSucceed() async throws {
        for round in 0..<5 {
            let temp = try TemporaryFolder()
            defer { temp.remove() }
            let store = temp.file("fresh-\(round).sqlite").path
            let processes = try (0..<4).map { _ in
                try ChildProcess([CommandRunner.executable.path, "runs", "list", "--store", store])
            }
            for process in processes {
                let errors = try await process.errors()
                #expect(try await process.exit() == 0, Comment(rawValue: errors))
            }
        }
    }

    @Test(.enabled(if: RealData.isPresent, Comment(rawValue: RealData.missingMessage)))
    func twoTrainingProcessesRecordIntoOneStoreWithoutLosingARun() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let store = temp.file("store.sqlite").path
        func start(_ name: String) throws -> ChildProcess {
            try ChildProcess([
                CommandRunner.executable.path, "train", "--model", "784-16-10", "--epochs", "2", "--val-split", "0.1",
                "--threads", "1", "--data", RealData.folder.path, "-o", temp.file("\(name).safetensors").path,
                "--store", store,
            ])
        }
        let processes = try ["a", "b", "c"].map(start)
        for process in processes {
            _ = try await process.output()
            #expect(try await process.exit() == 0)
        }
        let list = try await CommandRunner.run(["runs", "list", "--store", store, "--json"])
        #expect(list.status == 0, Comment(rawValue: list.standardError))
        let runs = try JSONSerialization.jsonObject(with: Data(list.standardOutput.utf8)) as? [[String: Any]] ?? []
        #expect(runs.count == 3)
        #expect(Set(runs.compactMap { $0["id"] as? Int }) == [1, 2, 3])
        #expect(runs.allSatisfy { $0["status"] as? String == "finished" })

        let show = try await CommandRunner.run(["runs", "show", "2", "--store", store])
        #expect(show.standardOutput.contains("Run 2: train 784-16-10"))
        #expect(show.standardOutput.contains("  epoch   2  "))
        #expect(show.standardOutput.contains("val_accuracy"))
        #expect(show.standardOutput.contains("model: "))
        let compare = try await CommandRunner.run(["runs", "compare", "1", "3", "--store", store])
        #expect(compare.standardOutput.contains("configuration same    yes"))
        let missing = try await CommandRunner.run(["runs", "show", "9", "--store", store])
        #expect(missing.status != 0)
        #expect(missing.standardError.contains("\(store): no run with id 9"))
    }

    /// A run whose process is killed while it trains is listed as interrupted, not running forever.
    @Test(.enabled(if: RealData.isPresent, Comment(rawValue: RealData.missingMessage)))
    func aKilledTrainingIsRecordedAsInterrupted() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let store = temp.file("store.sqlite")
        let child = try ChildProcess([
            CommandRunner.executable.path, "train", "--preset", "model3", "--threads", "1", "--data",
            RealData.folder.path,
            "--store", store.path, "-o", temp.file("m.safetensors").path,
        ])
        let deadline = Date().addingTimeInterval(120)
        var seen = false
        while Date() < deadline, !seen {
            seen = (try? SQLiteRunStore(url: store).runs().first?.status) == "running"
            if !seen { usleep(20_000) }
        }
        try #require(seen, "the run never showed as running")
        child.killNow()
        let runs = try SQLiteRunStore(url: store).runs()
        #expect(runs.map(\.status) == ["interrupted"])
        #expect(runs.first?.endedAt != nil)
        let list = try await CommandRunner.run(["runs", "list", "--store", store.path])
        #expect(list.standardOutput.contains("interrupted  train model3"), Comment(rawValue: list.standardOutput))
        #expect(!FileManager.default.fileExists(atPath: temp.file("m.safetensors").path))
    }
}
