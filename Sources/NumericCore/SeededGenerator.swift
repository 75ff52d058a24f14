/// A seeded pseudo-random generator (xoshiro256**), the only source of randomness in the
/// project. Randomness is always passed in, never global: the same seed gives the same
/// sequence on every platform, which makes shuffles, splits and initial weights reproducible.
///
/// The 64-bit seed is expanded into the 256-bit state with SplitMix64, as the xoshiro
/// authors recommend, so that nearby seeds give unrelated streams.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var mixer = seed
        func splitMix() -> UInt64 {
            mixer &+= 0x9E37_79B9_7F4A_7C15
            var z = mixer
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, by: 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotateLeft(state.3, by: 45)
        return result
    }

    /// A uniform integer in `0..<bound`, without modulo bias (Lemire's method). Unlike the
    /// standard library's `Int.random(in:using:)`, whose algorithm may change between Swift
    /// versions, this one is fixed, so a seed means the same thing forever.
    public mutating func nextIndex(below bound: Int) -> Int {
        precondition(bound > 0, "nextIndex(below:) needs a positive bound")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// A uniform `Float` in [0, 1) from the top 24 bits of the next value.
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// `count` draws of `nextUnitFloat()` into `buffer`, in order: the same numbers, with the
    /// state kept in registers for the whole run (a draw at a time from another module writes
    /// the state back to memory and reads it again, a chain through memory each draw).
    public mutating func fillUnitFloats(_ buffer: UnsafeMutablePointer<Float>, count: Int) {
        var local = self
        for i in 0..<max(0, count) { buffer[i] = local.nextUnitFloat() }
        self = local
    }

    private func rotateLeft(_ x: UInt64, by k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}

extension MutableCollection where Self: RandomAccessCollection, Index == Int {
    /// Fisher-Yates shuffle with the project's fixed, seed-stable index sampling.
    public mutating func seededShuffle(using generator: inout SeededGenerator) {
        guard count > 1 else { return }
        for i in stride(from: count - 1, to: 0, by: -1) {
            let j = generator.nextIndex(below: i + 1)
            swapAt(startIndex + i, startIndex + j)
        }
    }
}
