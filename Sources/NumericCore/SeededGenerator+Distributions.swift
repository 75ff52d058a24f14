import Foundation

extension SeededGenerator {
    /// A uniform `Float` in [low, high).
    public mutating func nextFloat(in low: Float, _ high: Float) -> Float {
        low + (high - low) * nextUnitFloat()
    }

    /// A standard normal sample (Box-Muller, using both uniforms per call for simplicity and
    /// a fixed sequence: one normal per two uniforms).
    public mutating func nextNormal() -> Float {
        var u1 = Double(next() >> 11) * 0x1.0p-53
        if u1 < 1e-300 { u1 = 1e-300 }
        let u2 = Double(next() >> 11) * 0x1.0p-53
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }

    /// A normal sample with the given standard deviation, redrawn when it falls beyond two
    /// standard deviations (as Keras's truncated normal initialisers do).
    public mutating func nextTruncatedNormal(standardDeviation: Float) -> Float {
        while true {
            let z = nextNormal()
            if abs(z) <= 2 { return z * standardDeviation }
        }
    }
}
