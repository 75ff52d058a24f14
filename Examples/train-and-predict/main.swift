// Trains the study's Model 3 on Fashion-MNIST, saves it, and classifies five test images with it:
// the library's two seams, the training pipeline (Studies) and the classifier (Inference).
// Run: swift run -c release train-and-predict [EPOCHS]
import FashionData
import Foundation
import Inference
import NeuralNet
import Studies

let dataset = try Dataset.load(from: DatasetLocator.locate())  // --data's search order, without --data
guard let preset = Preset.named("model3") else { fatalError("no preset model3") }
var options = preset.options
options.epochs = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 3
let modelURL = FileManager.default.temporaryDirectory.appendingPathComponent("model3-example.safetensors")
let plan = TrainingPlan(
    kind: .train, name: "model3", architecture: preset.model, options: options, seed: 42, validationSplit: 0.1,
    threads: 2, modelFile: modelURL)
let outcome = try TrainingRun(plan, dataset: dataset).execute(store: nil)
print("validation accuracy after \(options.epochs) epochs:", outcome.history.epochs.last?.metrics["val_accuracy"] ?? 0)

let classifier = try Classifier(contentsOf: modelURL)
let count = 5
let probabilities = try classifier.probabilities(
    pixels: Array(dataset.test.pixels.prefix(count * classifier.inputSize)), count: count)
for (index, top) in classifier.topClasses(probabilities, top: 1).enumerated() {
    let truth = dataset.classNames[Int(dataset.test.labels[index])]
    print("test image \(index): \(top[0].className) \(String(format: "%.3f", top[0].probability)) (label \(truth))")
}
