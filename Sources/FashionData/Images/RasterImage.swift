import _CZlib

/// A decoded raster image, 8 bits a channel: `[height, width, channels]`, row-major.
/// Channels: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA.
public struct RasterImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let channels: Int
    public let pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }
}
