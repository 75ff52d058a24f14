import Foundation
import NeuralNet

/// Keras-style progress: on a terminal, one bar per epoch redrawn in place
/// (`1875/1875 [==============================] - 0.2s - loss: 0.4961 - accuracy: 0.8253`);
/// otherwise one plain line per epoch, so logs stay readable.
final class ProgressBar: TrainingObserver {
    private let interactive: Bool
    private var lastDraw: UInt64 = 0
    private var epochStart: UInt64 = 0
    private let width = 30

    init(interactive: Bool = isatty(STDOUT_FILENO) != 0) { self.interactive = interactive }

    func trainingStarted(epochs: Int, stepsPerEpoch: Int) {}

    func batchEnded(epoch: Int, step: Int, stepsPerEpoch: Int, loss: Double, accuracy: Double) {
        guard interactive else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        if step == 1 {
            epochStart = now
        }
        // Redraw at most 20 times a second, and always at the end.
        guard step == stepsPerEpoch || now - lastDraw > 50_000_000 else { return }
        lastDraw = now
        let done = width * step / stepsPerEpoch
        let bar =
            String(repeating: "=", count: max(0, done - 1)) + (done > 0 ? (step == stepsPerEpoch ? "=" : ">") : "")
            + String(repeating: ".", count: width - done)
        let seconds = Double(now - epochStart) / 1e9
        let text =
            "\r\(step)/\(stepsPerEpoch) [\(bar)] - \(String(format: "%.1fs", seconds)) - loss: \(f4(loss)) - "
            + "accuracy: \(f4(accuracy))"
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    func epochEnded(_ record: EpochRecord, of epochs: Int) {
        var text =
            "Epoch \(record.epoch)/\(epochs) - \(String(format: "%.2fs", record.seconds)) - loss: \(f4(record.loss)) "
            + "- accuracy: \(f4(record.accuracy))"
        if let l = record.validationLoss, let a = record.validationAccuracy {
            text += " - val_loss: \(f4(l)) - val_accuracy: \(f4(a))"
        }
        if let map = record.metrics[EpochRecord.Name.validationMeanAveragePrecision] {
            text += " - val_mean_average_precision: \(f4(map))"
        }
        text += " - lr: \(String(format: "%.3g", record.learningRate))"
        if interactive { FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8)) }
        print(text)
    }

    func note(_ message: String) { print(message) }

    private func f4(_ value: Double) -> String { String(format: "%.4f", value) }
}
