import Foundation
import NeuralNet
import Testing
import _TestSupport

@testable import Tuning

/// A complete trial whose validation accuracy after epoch e is `values[e - 1]`.
func trial(_ number: Int, _ values: [Double], state: Observation.State = .complete) -> Observation {
    Observation(
        number: number, parameters: [:], state: state, value: state == .complete ? values.last : nil,
        steps: Dictionary(uniqueKeysWithValues: values.enumerated().map { ($0.offset + 1, $0.element) }))
}

@Suite(.timeLimit(.minutes(10))) struct PrunerTests {
    @Test func medianRulePrunesBelowTheMedianOfCompleteTrialsAtTheSameEpoch() {
        let pruner = PrunerSettings(kind: .median, startupTrials: 3, warmupEpochs: 1)
        let others = [
            trial(0, [0.80, 0.84, 0.86]), trial(1, [0.78, 0.83, 0.85]), trial(2, [0.70, 0.80, 0.82]),
            trial(3, [0.99, 0.99], state: .running), trial(4, [0.99, 0.99], state: .pruned),
        ]
        // Epoch 2: complete trials reached 0.84, 0.83, 0.80; the median is 0.83.
        #expect(pruner.shouldPrune(epoch: 2, value: 0.82, others: others))
        #expect(!pruner.shouldPrune(epoch: 2, value: 0.83, others: others))
        // Within the warm-up nothing is pruned, however bad.
        #expect(!pruner.shouldPrune(epoch: 1, value: 0.10, others: others))
        // Fewer complete trials than the start-up count: nothing is pruned.
        #expect(!pruner.shouldPrune(epoch: 2, value: 0.10, others: Array(others.prefix(2))))
        // An even count takes the mean of the middle two: (0.83 + 0.84) / 2 at epoch 2 (0.80, 0.83, 0.84, 0.845).
        let four = others + [trial(5, [0.81, 0.845, 0.85])]
        #expect(pruner.shouldPrune(epoch: 2, value: 0.8349, others: four))
        #expect(!pruner.shouldPrune(epoch: 2, value: 0.8351, others: four))
        // No complete trial reached this epoch: no verdict.
        #expect(!pruner.shouldPrune(epoch: 5, value: 0.10, others: others))
        #expect(!PrunerSettings(kind: .none).shouldPrune(epoch: 9, value: 0, others: others))
    }

    @Test func successiveHalvingKeepsTheBestThirdAtEachRung() {
        let pruner = PrunerSettings(kind: .halving, minEpochs: 1, reductionFactor: 3)
        // Rungs at epochs 1, 3, 9: no decision in between.
        #expect(!pruner.shouldPrune(epoch: 2, value: 0, others: [trial(0, [0.9, 0.9])]))
        // The first trial at a rung is always promoted; with two or three at a rung, only the best goes on.
        #expect(!pruner.shouldPrune(epoch: 1, value: 0.5, others: []))
        #expect(pruner.shouldPrune(epoch: 1, value: 0.5, others: [trial(0, [0.6])]))
        #expect(!pruner.shouldPrune(epoch: 1, value: 0.7, others: [trial(0, [0.6])]))
        // Six at the rung (five others and this one): the best two go on.
        let five = (0..<5).map { trial($0, [0.60 + 0.01 * Double($0), 0, 0]) }  // 0.60 ... 0.64
        #expect(!pruner.shouldPrune(epoch: 1, value: 0.635, others: five))
        #expect(pruner.shouldPrune(epoch: 1, value: 0.625, others: five))
        // Running and pruned trials that reached the rung compete too.
        #expect(pruner.shouldPrune(epoch: 3, value: 0.5, others: [trial(0, [0, 0, 0.6], state: .running)]))
    }

    @Test func prunerSettingsAreChecked() {
        #expect(throws: TuningError.self) { try PrunerSettings(kind: .halving, reductionFactor: 1).validate() }
        #expect(throws: TuningError.self) { try PrunerSettings(kind: .halving, minEpochs: 0).validate() }
        #expect(throws: TuningError.self) { try PrunerSettings(kind: .median, startupTrials: -1).validate() }
    }
}

@Suite(.timeLimit(.minutes(10))) struct SearchSpaceTests {
    func reason(_ json: String) -> String {
        let temp = try? TemporaryFolder()
        defer { temp?.remove() }
        guard let url = temp?.file("space.json"), (try? Data(json.utf8).write(to: url)) != nil else {
            return "no folder"
        }
        do {
            _ = try SearchSpace.read(from: url)
            return "accepted"
        } catch {
            return error.description.replacingOccurrences(of: url.path + ": ", with: "")
        }
    }

    func space(_ parameters: String, split: String = "0.1") -> String {
        #"{"name": "s", "validationSplit": \#(split), "parameters": [\#(parameters)]}"#
    }

    @Test func badSpacesAreExplained() {
        #expect(reason(space(#"{"name": "units", "values": [64, 128]}"#)) == "accepted")
        #expect(
            reason(space(#"{"name": "width", "values": [64]}"#)).hasPrefix(
                "unknown parameter 'width'; known: hidden_layers, units,"))
        #expect(
            reason(space(#"{"name": "units", "low": 32, "high": 512}"#))
                == #"parameter 'units': takes whole numbers; add "integer": true to its range"#)
        #expect(
            reason(space(#"{"name": "learning_rate", "low": 0, "high": 0.1, "log": true}"#))
                == "parameter 'learning_rate': a log range needs 'low' > 0, found 0.0")
        #expect(
            reason(space(#"{"name": "dropout", "low": 0.5, "high": 0.1}"#))
                == "parameter 'dropout': expected 'low' < 'high', found 0.5 and 0.1")
        #expect(
            reason(space(#"{"name": "dropout", "low": 0.1, "high": 1.5}"#))
                == "parameter 'dropout': expected a number in [0, 1), found 1.5")
        #expect(
            reason(space(#"{"name": "activation", "values": ["relu", "swish"]}"#))
                == "parameter 'activation': unknown value swish")
        #expect(
            reason(space(#"{"name": "batch_norm", "values": [1]}"#))
                == "parameter 'batch_norm': expected true or false, found 1")
        #expect(
            reason(
                space(
                    #"{"name": "momentum", "low": 0.8, "high": 0.9, "when": {"optimizer": ["sgd"]}},"#
                        + #" {"name": "optimizer", "values": ["sgd"]}"#
                ))
                == "parameter 'momentum': its condition names 'optimizer', which must be a parameter listed before it")
        #expect(
            reason(
                space(
                    #"{"name": "optimizer", "values": ["adam"]}, {"name": "momentum", "low": 0.8, "high": 0.9,"#
                        + #" "when": {"optimizer": ["sgd"]}}"#
                ))
                == "parameter 'momentum': its condition on 'optimizer' lists sgd, which is not one of optimizer's "
                + "values"
        )
        #expect(
            reason(space(#"{"name": "units", "values": [64], "low": 1}"#))
                == "parameter 'units': give exactly one of 'value', 'values', or 'low' and 'high'")
        #expect(
            reason(space(#"{"name": "units", "values": [64]}"#, split: "0")).hasPrefix(
                "'validationSplit' must be in (0, 1)"))
        #expect(
            reason(#"{"name": "s", "parameters": [{"name": "units", "values": [64]}]}"#)
                == "not a valid search space: missing field 'validationSplit'")
        #expect(reason("[1, 2").hasPrefix("not a valid search space"))
    }

    @Test func theShippedExampleIsValidAndBuildsDenseNetworks() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../experiments/tune-mlp.json")
        let space = try SearchSpace.read(from: url)
        #expect(space.trials == 30)
        let sampler = RandomSampler(space: space, seed: 2)
        for number in 0..<20 {
            let a = try #require(try sampler.propose(number: number, history: []))
            let (model, options) = try Knobs.configuration(a, inputSize: 784, classes: 10)
            let dense = model.layers.filter { $0.kind == .dense }
            #expect(dense.count == Int(a["hidden_layers"]?.number ?? 0) + 1)
            #expect(dense.last?.units == 10 && model.layers.last?.kind == .softmax)
            #expect(options.epochs == 25)
            #expect((a["momentum"] != nil) == (options.optimizer.kind == .sgd))
            #expect(model.layers.contains { $0.kind == .batchNorm } == (a["batch_norm"] == .flag(true)))
        }
    }

    @Test func knobsBuildTheNetworkTheyName() throws {
        var values = Assignment()
        values["hidden_layers"] = .number(2)
        values["units"] = .number(100)
        values["units_2"] = .number(50)
        values["activation"] = .text("gelu")
        values["dropout"] = .number(0.25)
        values["batch_norm"] = .flag(true)
        values["optimizer"] = .text("sgd")
        values["momentum"] = .number(0.9)
        values["learning_rate"] = .number(0.05)
        values["batch_size"] = .number(64)
        values["epochs"] = .number(7)
        values["schedule"] = .text("one_cycle")
        values["label_smoothing"] = .number(0.1)
        let (model, options) = try Knobs.configuration(
            values,
            inputSize: 784, classes: 10)
        #expect(
            model.layers.map(\.summaryName) == [
                "Dense(100)", "BatchNorm", "GELU", "Dropout(0.25)", "Dense(50)", "BatchNorm", "GELU",
                "Dropout(0.25)", "Dense(10)", "Softmax",
            ])
        #expect(
            options.optimizer.kind == .sgd && options.optimizer.momentum == 0.9
                && options.optimizer.learningRate == 0.05)
        #expect(
            options.batchSize == 64 && options.epochs == 7 && options.schedule.kind == .oneCycle
                && options.labelSmoothing == 0.1)
        let none = try Knobs.configuration(["hidden_layers": .number(0)], inputSize: 784, classes: 10).0
        #expect(none.layers.map(\.summaryName) == ["Dense(10)", "Softmax"])
    }

    @Test func convolutionKnobsBuildTheReferenceCNN() throws {
        var values = Assignment()
        values["conv_blocks"] = .number(2)
        values["filters_1"] = .number(32)
        values["filters_2"] = .number(64)
        values["hidden_layers"] = .number(1)
        values["dropout"] = .number(0.5)
        let (model, _) = try Knobs.configuration(values, inputSize: 784, classes: 10)
        #expect(model.outline == "28x28x1-C32k3-P2-C64k3-P2-128-10")
        #expect(try Sequential(specification: model, seed: 1).parameterCount == 225_034)
        // Four valid blocks do not fit 28x28 images: the trial fails when it is built, with a message.
        values["conv_blocks"] = .number(4)
        let tooDeep = try Knobs.configuration(values, inputSize: 784, classes: 10).0
        #expect(throws: ModelError.self) { try Sequential(specification: tooDeep, seed: 1) }
        values["padding"] = .text("same")
        #expect(
            try Sequential(specification: Knobs.configuration(values, inputSize: 784, classes: 10).0, seed: 1)
                .outputSize == 10)
    }

    @Test func importanceFindsTheParameterThatMatters() {
        let space = SearchSpace(
            name: "i",
            parameters: [
                SearchParameter(name: "optimizer", values: [.text("adam"), .text("sgd")]),
                SearchParameter(name: "dropout", low: 0, high: 0.5),
            ])
        // The value depends on the optimizer only; dropout is noise.
        let trials = (0..<24).map { (i: Int) -> Observation in
            let optimizer = ParameterValue.text(i % 2 == 0 ? "adam" : "sgd")
            let dropout = ParameterValue.number(Double((i * 7) % 11) / 22)
            let value: Double = (i % 2 == 0 ? 0.9 : 0.8) + Double(i % 3) * 0.001
            return Observation(
                number: i, parameters: ["optimizer": optimizer, "dropout": dropout], state: .complete, value: value)
        }
        let importance = TuningResult.importance(space: space, trials: trials)
        #expect(importance.first?.parameter == "optimizer")
        #expect((importance.first?.etaSquared ?? 0) > 0.95)
        #expect((importance.last?.etaSquared ?? 1) < 0.3)
    }
}
