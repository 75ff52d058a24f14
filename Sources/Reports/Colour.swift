/// An RGB colour, 8 bits a channel.
public struct Colour: Sendable, Equatable {
    public var red: UInt8, green: UInt8, blue: UInt8

    public init(_ red: UInt8, _ green: UInt8, _ blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    public static let white = Colour(255, 255, 255)
    public static let black = Colour(0, 0, 0)
    public static let ink = Colour(33, 37, 41)
    public static let paper = Colour(246, 246, 243)
    public static let wrong = Colour(200, 40, 40)
    public static let right = Colour(30, 130, 60)
}
