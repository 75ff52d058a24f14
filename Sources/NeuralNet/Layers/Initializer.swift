import NumericCore

/// How a kernel's initial values are drawn, with Keras's definitions (fan-in = inputs,
/// fan-out = units): Glorot uniform in ±sqrt(6 / (fanIn + fanOut)); Glorot normal with
/// standard deviation sqrt(2 / (fanIn + fanOut)); He uniform in ±sqrt(6 / fanIn); He normal
/// with sqrt(2 / fanIn). The normal ones are truncated at two standard deviations and
/// rescaled by 1 / 0.87962566 so the spread stays as stated.
public enum Initializer: String, Codable, Sendable, CaseIterable {
    case glorotUniform = "glorot_uniform"
    case glorotNormal = "glorot_normal"
    case heUniform = "he_uniform"
    case heNormal = "he_normal"

    public func fill(_ matrix: Matrix, fanIn: Int, fanOut: Int, generator: inout SeededGenerator) {
        let truncationCorrection: Float = 0.879_625_661_034_239_78
        let values = matrix.buffer
        switch self {
        case .glorotUniform, .heUniform:
            let limit = (self == .glorotUniform ? (6 / Float(fanIn + fanOut)) : (6 / Float(fanIn))).squareRoot()
            for i in values.indices { values[i] = generator.nextFloat(in: -limit, limit) }
        case .glorotNormal, .heNormal:
            let variance = self == .glorotNormal ? 2 / Float(fanIn + fanOut) : 2 / Float(fanIn)
            let deviation = variance.squareRoot() / truncationCorrection
            for i in values.indices { values[i] = generator.nextTruncatedNormal(standardDeviation: deviation) }
        }
    }
}
