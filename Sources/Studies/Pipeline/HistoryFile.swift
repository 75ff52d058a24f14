import FashionData
import Foundation
import Inference
import NeuralNet
import NumericCore
import RunStore
import _Files

/// The training history, written as JSON beside the model file.
public enum HistoryFile {
    /// Writes `<model without extension>.history.json` atomically and returns its URL.
    @discardableResult
    public static func write(_ history: History, beside model: URL) throws -> URL {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let url = model.deletingPathExtension().appendingPathExtension("history.json")
        try AtomicFile.write([UInt8](encoder.encode(history)), to: url)
        return url
    }
}
