import NumericCore
import Testing

@Suite(.timeLimit(.minutes(10))) struct SeededGeneratorTests {
    @Test func sameSeedGivesSameSequence() {
        var a = SeededGenerator(seed: 42)
        var b = SeededGenerator(seed: 42)
        for _ in 0..<1000 { #expect(a.next() == b.next()) }
    }

    @Test func nearbySeedsGiveUnrelatedStreams() {
        var a = SeededGenerator(seed: 1)
        var b = SeededGenerator(seed: 2)
        let first = (0..<64).map { _ in a.next() }
        let second = (0..<64).map { _ in b.next() }
        #expect(Set(first).isDisjoint(with: second))
    }

    @Test func knownFirstValuesStayFixed() {
        // Pins the algorithm: changing SplitMix64 seeding or xoshiro256** would change every
        // split and initial weight a user has recorded. Values from the independent Python
        // implementation in Scripts/xoshiro_reference.py.
        var generator = SeededGenerator(seed: 0)
        #expect(generator.next() == 0x99EC_5F36_CB75_F2B4)
        #expect(generator.next() == 0xBF6E_1F78_4956_452A)
    }

    @Test(arguments: [1, 2, 3, 7, 10, 1000])
    func indicesStayBelowTheBoundAndCoverIt(bound: Int) {
        var generator = SeededGenerator(seed: 9)
        var seen = Set<Int>()
        for _ in 0..<(bound * 50) {
            let value = generator.nextIndex(below: bound)
            #expect(value >= 0 && value < bound)
            seen.insert(value)
        }
        #expect(seen.count == bound)
    }

    @Test func unitFloatsAreInTheUnitIntervalWithMeanOneHalf() {
        var generator = SeededGenerator(seed: 3)
        let values = (0..<100_000).map { _ in generator.nextUnitFloat() }
        #expect(values.allSatisfy { $0 >= 0 && $0 < 1 })
        let mean = values.reduce(0, +) / Float(values.count)
        #expect(abs(mean - 0.5) < 0.01)
    }

    @Test func shuffleIsAPermutationAndDependsOnTheSeed() {
        var a = Array(0..<100)
        var b = Array(0..<100)
        var g1 = SeededGenerator(seed: 5)
        var g2 = SeededGenerator(seed: 6)
        a.seededShuffle(using: &g1)
        b.seededShuffle(using: &g2)
        #expect(a.sorted() == Array(0..<100))
        #expect(a != Array(0..<100))
        #expect(a != b)
    }

    @Test func aRunOfUnitFloatsIsTheDrawsOneAtATime() {
        var bulk = SeededGenerator(seed: 11)
        var single = SeededGenerator(seed: 11)
        var buffer = [Float](repeating: -1, count: 37)
        buffer.withUnsafeMutableBufferPointer { bulk.fillUnitFloats($0.baseAddress!, count: 37) }
        #expect(buffer == (0..<37).map { _ in single.nextUnitFloat() })
        // And the generator goes on from where the run ended.
        #expect(bulk.next() == single.next())
    }
}
