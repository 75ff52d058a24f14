/// The one bitmap font of the pictures: X11's public-domain 6x13 "fixed", ASCII 32...126.
/// Legible at scale 1, crisp at any whole-number scale.
public enum FixedFont {
    public static let glyphWidth = 6
    public static let glyphHeight = 13

    /// Pixel width of `text` at `scale`.
    public static func width(of text: String, scale: Int = 1) -> Int {
        text.unicodeScalars.count * glyphWidth * scale
    }

    static func rows(for scalar: Unicode.Scalar) -> ArraySlice<UInt8> {
        let code = (32...126).contains(scalar.value) ? Int(scalar.value) : Int(UInt8(ascii: "?"))
        let start = (code - 32) * glyphHeight
        return glyphRows[start..<(start + glyphHeight)]
    }
}
