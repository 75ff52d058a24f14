import NumericCore

/// How pixels become a model's inputs, recorded in the model file so that training,
/// evaluation, prediction and serving agree by design.
public struct Preprocessing: Codable, Equatable, Sendable {
    /// The image the model takes.
    public var image: ImageShape
    /// How a pixel value becomes an input.
    public var scaling: PixelScaling
    /// How a photo of any size and colour becomes `image`.
    public var photos: PhotoFit

    public init(image: ImageShape, scaling: PixelScaling = .divideBy255, photos: PhotoFit = .fashionMNIST) {
        self.image = image
        self.scaling = scaling
        self.photos = photos
    }

    /// The largest image side a model file may ask for: the sizes come from a file, and the
    /// buffers made from them must stay bounded.
    public static let largestSide = 4096

    /// Why the record cannot be used, naming the field, or nil when it can.
    public func problem(inputSize: Int) -> String? {
        for (name, value) in [("height", image.height), ("width", image.width)]
        where !(1...Self.largestSide).contains(value) {
            return "'\(name)' must be 1...\(Self.largestSide), found \(value)"
        }
        guard [1, 3].contains(image.channels) else { return "'channels' must be 1 or 3, found \(image.channels)" }
        guard image.valueCount == inputSize else {
            return "an image of \(image) is \(image.valueCount) values; the model takes \(inputSize)"
        }
        return nil
    }

    private enum CodingKeys: String, CodingKey {
        case height, width, channels, scaling, photos
        // Files written before the record had fields: {"imageRows", "imageColumns", "scaling": "divide by 255"}.
        case imageRows, imageColumns
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let rows = try c.decodeIfPresent(Int.self, forKey: .imageRows) {
            image = ImageShape(height: rows, width: try c.decode(Int.self, forKey: .imageColumns), channels: 1)
            let text = try c.decodeIfPresent(String.self, forKey: .scaling) ?? "divide by 255"
            guard text == "divide by 255" else {
                throw DecodingError.dataCorruptedError(
                    forKey: .scaling, in: c, debugDescription: "expected 'divide by 255', found '\(text)'")
            }
            scaling = .divideBy255
            photos = .fashionMNIST
            return
        }
        image = ImageShape(
            height: try c.decode(Int.self, forKey: .height), width: try c.decode(Int.self, forKey: .width),
            channels: try c.decodeIfPresent(Int.self, forKey: .channels) ?? 1)
        scaling = try c.decodeIfPresent(PixelScaling.self, forKey: .scaling) ?? .divideBy255
        photos = try c.decodeIfPresent(PhotoFit.self, forKey: .photos) ?? .fashionMNIST
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(image.height, forKey: .height)
        try c.encode(image.width, forKey: .width)
        try c.encode(image.channels, forKey: .channels)
        try c.encode(scaling, forKey: .scaling)
        try c.encode(photos, forKey: .photos)
    }
}

/// How a pixel value (0...255) becomes an input.
public enum PixelScaling: String, Codable, Sendable, CaseIterable {
    /// `value / 255`, in [0, 1].
    case divideBy255 = "divide_by_255"

    @inline(__always)
    public func scale(_ value: UInt8) -> Float {
        switch self {
        case .divideBy255: return Float(value) / 255
        }
    }
}

/// How a photo becomes the model's image.
public enum PhotoFit: String, Codable, Sendable, CaseIterable {
    /// As Fashion-MNIST's images were made: grayscale, a light object on a dark background
    /// (dark-on-light photos inverted), trimmed to the object, the longer side scaled to the
    /// image with the aspect kept, centred (`ImagePreparation.prepare`).
    case fashionMNIST = "fashion_mnist"
    /// As image-folder datasets are read: the photo as it is, its colour converted to the
    /// model's, scaled with the aspect kept to fill the image, centred, the margins in the
    /// colour of its border (`ImagePreparation.letterbox`).
    case letterbox
}
