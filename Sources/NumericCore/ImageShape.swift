/// The shape of one image: height and width in pixels and the channels of each pixel (1 for
/// grayscale, 3 for RGB). Stored NHWC: pixels row by row, each pixel's channels side by side,
/// so an image is `height·width·channels` values and a batch the matrix
/// `[batch, height·width·channels]`.
public struct ImageShape: Codable, Hashable, Sendable, CustomStringConvertible {
    public var height: Int
    public var width: Int
    public var channels: Int

    public init(height: Int, width: Int, channels: Int = 1) {
        self.height = height
        self.width = width
        self.channels = channels
    }

    /// From a model's input shape `[height, width, channels]`; nil for any other shape.
    public init?(_ dimensions: [Int]) {
        guard dimensions.count == 3 else { return nil }
        self.init(height: dimensions[0], width: dimensions[1], channels: dimensions[2])
    }

    /// `[height, width, channels]`, as a model's input shape.
    public var dimensions: [Int] { [height, width, channels] }
    /// Values in one image.
    public var valueCount: Int { height * width * channels }
    public var pixelCount: Int { height * width }

    /// "28x28x1".
    public var description: String { "\(height)x\(width)x\(channels)" }
}
