import Foundation
import NeuralNet
import NumericCore
import Testing

@Suite(.timeLimit(.minutes(10))) struct PresetTests {
    @Test(arguments: Preset.all.map(\.name))
    func everyPresetBuildsAndTakesATrainingStep(_ name: String) throws {
        let preset = try #require(Preset.named(name))
        let model = try Sequential(specification: preset.model, seed: 1)
        #expect(model.inputSize == 784 && model.outputSize == 10)
        var generator = SeededGenerator(seed: 2)
        let features = (0..<(16 * 784)).map { _ in generator.nextUnitFloat() }
        let data = InMemoryData(features: features, labels: (0..<16).map { $0 % 10 }, featureCount: 784)
        var options = preset.options
        options.epochs = 1
        options.batchSize = 8
        let history = try Trainer.fit(model, on: data, options: options)
        #expect(history.epochs.count == 1 && history.epochs[0].loss.isFinite)
        // The built model's description (defaults filled in) survives JSON, as in a model file,
        // and outlines as the preset does.
        let decoded = try JSONDecoder().decode(ModelSpecification.self, from: JSONEncoder().encode(model.specification))
        #expect(try Sequential(specification: decoded, seed: 1).specification == model.specification)
        #expect(decoded.outline == preset.model.outline)
    }
}
