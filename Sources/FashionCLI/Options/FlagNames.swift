import ArgumentParser
import FashionData
import Foundation
import NeuralNet
import Studies

/// The libraries name fields in their errors (`epochs`, `validationFraction`); only the CLI
/// knows its flags. A subcommand runs its library call through `FlagNames.translating`, which
/// rewrites an error about a field the command sets from a flag into one that names the flag.
enum FlagNames {
    static let byField: [String: String] = [
        "epochs": "--epochs", "batchSize": "--batch-size", "labelSmoothing": "--label-smoothing", "l2": "--l2",
        "ema": "--ema",
        "validationFraction": "--val-split", "validationSplit": "--val-split", "threads": "--threads",
        "schedule.factor": "--schedule-factor", "schedule.every": "--schedule-every",
        "schedule.warmupEpochs": "--warmup-epochs",
        "optimizer.learningRate": "--learning-rate", "augmentation.cropPadding": "--crop-padding",
        "augmentation.flipProbability": "--flip", "augmentation.erasingProbability": "--erasing",
        "flipAveraging": "--flip-averaging", "monitor": "--monitor", "class": "--class", "steps": "--steps",
        "window": "--window", "layer": "--layer", "indices": "--indices", "method": "--method",
        "count": "--count", "emptyCell": "--empty", "positiveWeights": "--pos-weight",
        "smoothSamples": "--smooth-samples", "smoothNoise": "--smooth-noise",
    ]

    /// Runs `body`; an error naming a field that has a flag becomes a `FlagError` naming the
    /// flag (so the message reads as the user typed it), others pass unchanged.
    static func translating<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as ModelError {
            if case .invalidOption(let name, let reason) = error, let flag = byField[name] {
                throw FlagError(description: "\(flag): \(reason)")
            }
            throw error
        } catch let error as StudyError {
            if case .invalidField(let name, let reason) = error, let flag = byField[name] {
                throw FlagError(description: "\(flag): \(reason)")
            }
            throw error
        } catch let error as DataError {
            if case .invalidArgument(let name, let reason) = error, let flag = byField[name] {
                throw FlagError(description: "\(flag): \(reason)")
            }
            throw error
        }
    }
}

/// A value given on the command line that the library refused, named by its flag. Printed as
/// `Error: --epochs: expected at least 1, found 0` (without the usage text a ValidationError
/// thrown from `run()` would add, which would be the root command's).
struct FlagError: Error, CustomStringConvertible, LocalizedError {
    let description: String
    var errorDescription: String? { description }
}
