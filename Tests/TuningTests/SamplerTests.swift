import Foundation
import Testing

@testable import Tuning

/// A synthetic objective with a known optimum: x near 0.7, learning rate near 10^-2.5, and
/// choice "b" worth 0.3 more. The best value is 1.3.
func syntheticObjective(_ a: Assignment) -> Double {
    let x = a["x"]?.number ?? 0
    let rate = a["learning_rate"]?.number ?? 1
    let bonus = a["kind"] == .text("b") ? 0.3 : 0
    let logDistance = log10(rate) + 2.5
    return 1 - (x - 0.7) * (x - 0.7) - 0.1 * logDistance * logDistance + bonus
}

let syntheticSpace = SearchSpace(
    name: "synthetic",
    parameters: [
        SearchParameter(name: "x", low: 0, high: 1),
        SearchParameter(name: "learning_rate", low: 1e-5, high: 1e-1, log: true),
        SearchParameter(name: "kind", values: [.text("a"), .text("b"), .text("c")]),
    ])

/// Runs `trials` trials one after another and returns the best value after each.
func search(_ sampler: any Sampler, trials: Int) throws -> [Double] {
    var history = [Observation]()
    var best = [Double]()
    for number in 0..<trials {
        guard let proposal = try sampler.propose(number: number, history: history) else { break }
        let value = syntheticObjective(proposal)
        history.append(Observation(number: number, parameters: proposal, state: .complete, value: value))
        best.append(max(best.last ?? -.infinity, value))
    }
    return best
}

@Suite(.timeLimit(.minutes(10))) struct SamplerTests {
    @Test func randomDrawsStayInTheirRangesAndRepeatForTheSameSeedAndTrial() throws {
        let sampler = RandomSampler(space: syntheticSpace, seed: 7)
        var rates = [Double]()
        for number in 0..<400 {
            let a = try #require(try sampler.propose(number: number, history: []))
            let x = try #require(a["x"]?.number)
            let rate = try #require(a["learning_rate"]?.number)
            #expect(x >= 0 && x <= 1)
            #expect(rate >= 1e-5 && rate <= 1e-1)
            #expect([.text("a"), .text("b"), .text("c")].contains(a["kind"]))
            rates.append(rate)
        }
        #expect(try sampler.propose(number: 3, history: []) == (try sampler.propose(number: 3, history: [])))
        #expect(try sampler.propose(number: 3, history: []) != (try sampler.propose(number: 4, history: [])))
        // Log-uniform: the median is near the geometric middle, 10^-3, not the arithmetic one (0.05).
        let median = rates.sorted()[rates.count / 2]
        #expect(median > 1e-4 && median < 1e-2, "median \(median)")
    }

    @Test func conditionalParametersAppearOnlyWhenTheirConditionHolds() throws {
        let space = SearchSpace(
            name: "c",
            parameters: [
                SearchParameter(name: "optimizer", values: [.text("adam"), .text("sgd")]),
                SearchParameter(name: "momentum", low: 0.8, high: 0.99, when: ["optimizer": [.text("sgd")]]),
            ])
        for kind in SamplerKind.allCases where kind != .grid {
            let sampler = kind.makeSampler(space: space, seed: 3, startupTrials: 4)
            var history = [Observation]()
            for number in 0..<30 {
                let a = try #require(try sampler.propose(number: number, history: history))
                #expect((a["momentum"] != nil) == (a["optimizer"] == .text("sgd")), "\(kind): \(a)")
                history.append(
                    Observation(number: number, parameters: a, state: .complete, value: a["momentum"]?.number ?? 0.5))
            }
        }
    }

    @Test func gridVisitsEveryPointOnceThenStops() throws {
        let space = SearchSpace(
            name: "g",
            parameters: [
                SearchParameter(name: "hidden_layers", low: 1, high: 2, integer: true),
                SearchParameter(
                    name: "units_2", values: [.number(32), .number(64)], when: ["hidden_layers": [.number(2)]]),
                SearchParameter(name: "learning_rate", low: 1e-3, high: 1e-1, log: true, steps: 3),
            ])
        let sampler = GridSampler(space: space, seed: 1)
        var history = [Observation]()
        while let a = try sampler.propose(number: history.count, history: history) {
            history.append(Observation(number: history.count, parameters: a, state: .complete, value: 0))
            #expect(history.count <= 20)
        }
        // (1 layer) + (2 layers × 2 widths) = 3 architectures, × 3 rates.
        #expect(history.count == 9)
        #expect(Set(history.map(\.parameters)).count == 9)
        let rates = Set(history.compactMap { $0.parameters["learning_rate"]?.number }).sorted()
        #expect(rates.count == 3 && abs(rates[1] - 1e-2) < 1e-12)
        #expect(
            history.filter { $0.parameters["hidden_layers"] == .number(1) }.allSatisfy {
                $0.parameters["units_2"] == nil
            })

        let floats = SearchSpace(name: "f", parameters: [SearchParameter(name: "dropout", low: 0, high: 0.5)])
        #expect(throws: TuningError.self) { try GridSampler(space: floats, seed: 1).propose(number: 0, history: []) }
    }

    /// A grid is refused by its size before it is listed (a billion steps once grew tune past 6 GB).
    @Test func aHugeGridIsRefusedBeforeItIsListed() throws {
        let cases: [(SearchSpace, String)] = [
            (
                SearchSpace(
                    name: "s", parameters: [SearchParameter(name: "lr", low: 1e-4, high: 1, steps: 1_000_000_000)]),
                "'steps' is 1000000000; the grid sampler takes at most 100000"
            ),
            (
                SearchSpace(name: "i", parameters: [SearchParameter(name: "units", low: 1, high: 1e12, integer: true)]),
                "an integer range of 1000000000000 values is too large"
            ),
            (
                SearchSpace(
                    name: "p",
                    parameters: (0..<4).map { SearchParameter(name: "p\($0)", low: 0, high: 1, steps: 1000) }),
                "the grid has more than 100000 points"
            ),
        ]
        for (space, message) in cases {
            #expect {
                _ = try GridSampler(space: space, seed: 1).propose(number: 0, history: [])
            } throws: { "\($0)".contains(message) }
        }
    }

    @Test func tpeBeatsRandomSearchOnASyntheticObjective() throws {
        var tpeBest = [Double]()
        var randomBest = [Double]()
        for seed in UInt64(1)...7 {
            tpeBest.append(try search(TPESampler(space: syntheticSpace, seed: seed), trials: 50).last ?? 0)
            randomBest.append(try search(RandomSampler(space: syntheticSpace, seed: seed), trials: 50).last ?? 0)
        }
        let tpeMedian = tpeBest.sorted()[3]
        let randomMedian = randomBest.sorted()[3]
        #expect(tpeMedian > randomMedian, "TPE \(tpeBest), random \(randomBest)")
        #expect(tpeMedian > 1.28, "TPE should get close to the optimum 1.3: \(tpeBest)")
    }

    @Test func tpeConcentratesOnTheBetterChoice() throws {
        let sampler = TPESampler(space: syntheticSpace, seed: 11)
        var history = [Observation]()
        for number in 0..<60 {
            let a = try #require(try sampler.propose(number: number, history: history))
            history.append(Observation(number: number, parameters: a, state: .complete, value: syntheticObjective(a)))
        }
        let late = history.suffix(30)
        #expect(
            late.filter { $0.parameters["kind"] == .text("b") }.count > 15,
            "\(late.map { $0.parameters["kind"]?.description ?? "-" })")
        let xs = late.compactMap { $0.parameters["x"]?.number }
        #expect(abs(xs.sorted()[xs.count / 2] - 0.7) < 0.15)
    }

    @Test func tpeUsesRandomDrawsUntilItHasEnoughTrials() throws {
        let tpe = TPESampler(space: syntheticSpace, seed: 5, startupTrials: 10)
        let random = RandomSampler(space: syntheticSpace, seed: 5)
        let few = (0..<9).map { Observation(number: $0, parameters: ["x": .number(0.5)], state: .complete, value: 0.5) }
        #expect(try tpe.propose(number: 9, history: few) == (try random.propose(number: 9, history: few)))
        // Running and failed trials do not count towards the start-up.
        let notFinished = (0..<12).map {
            Observation(number: $0, parameters: [:], state: $0 % 2 == 0 ? .running : .failed)
        }
        #expect(
            try tpe.propose(number: 12, history: notFinished) == (try random.propose(number: 12, history: notFinished)))
    }
}
