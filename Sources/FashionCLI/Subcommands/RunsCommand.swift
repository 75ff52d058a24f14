import ArgumentParser
import Foundation
import RunStore

struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "List, show and compare the recorded runs.",
        subcommands: [RunsList.self, RunsShow.self, RunsCompare.self, RunsCopy.self])
}

func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.dateEncodingStrategy = .iso8601
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

func format(_ date: Date?) -> String {
    guard let date else { return "-" }
    let formatter = DateFormatter()
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
    formatter.timeZone = TimeZone(identifier: "UTC")
    return formatter.string(from: date)
}

func metricsText(_ metrics: [String: Double]) -> String {
    metrics.keys.sorted().map { String(format: "%@ %.4f", $0, metrics[$0]!) }.joined(separator: ", ")
}
