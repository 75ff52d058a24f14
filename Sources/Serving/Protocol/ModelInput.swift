import FashionData
import Foundation
import Inference

/// The images of an inference request, as the model takes them: `count` images of
/// `inputSize` scaled values each.
///
/// The request gives exactly one input: `input`, a UINT8 (pixels 0...255) or FP32 (values as
/// the model takes them, pixel / 255) tensor `[N, height, width, channels]` or
/// `[N, height·width·channels]` (`[N, height, width]` for one channel); or `photos`, BYTES
/// `[N]` of encoded PNG photos, prepared as `fashion predict` prepares them.
struct ModelInput {
    static let tensorName = "input"
    static let photosName = "photos"

    let count: Int
    let values: [Float]

    init(_ request: InferenceRequest, model: ModelRepository.Model, maxPhotoPixels: Int) throws(ServingError) {
        guard request.inputs.count == 1, let input = request.inputs.first else {
            throw .badRequest(
                "inputs: expected one input ('\(Self.tensorName)' or '\(Self.photosName)'), found "
                    + "\(request.inputs.count)")
        }
        let classifier = model.classifier
        switch input.name {
        case Self.tensorName:
            count = try Self.imageCount(input, classifier: classifier, model: model)
            values = try Self.values(input, count: count, classifier: classifier)
        case Self.photosName:
            guard input.datatype == "BYTES" else {
                throw .badRequest(
                    "input 'photos': datatype: expected BYTES (encoded PNG or JPEG photos), found \(input.datatype)")
            }
            guard input.shape.count == 1, case .elements(let photos) = input.contents else {
                throw .badRequest("input 'photos': shape: expected [N], one encoded photo each, found \(input.shape)")
            }
            count = photos.count
            var values = [Float]()
            values.reserveCapacity(photos.count * classifier.inputSize)
            let scaling = classifier.preprocessing.scaling
            for (index, bytes) in photos.enumerated() {
                let pixels = try Self.photo(bytes, index: index, classifier: classifier, maxPixels: maxPhotoPixels)
                for pixel in pixels { values.append(scaling.scale(pixel)) }
            }
            self.values = values
        default:
            throw .badRequest(
                "input '\(input.name)': unknown input; model '\(model.name)' takes '\(Self.tensorName)' "
                    + "(UINT8 or FP32 \(model.inputShape)) or '\(Self.photosName)' (BYTES [-1], PNG or JPEG photos)")
        }
    }

    /// N from a tensor's shape, which must be the model's image shape (or its flat form).
    private static func imageCount(
        _ input: InferenceRequest.Input, classifier: Classifier, model: ModelRepository.Model
    )
        throws(ServingError) -> Int
    {
        let image = classifier.preprocessing.image
        let accepted =
            [image.dimensions, [image.valueCount]] + (image.channels == 1 ? [[image.height, image.width]] : [])
        guard input.shape.count >= 2, accepted.contains(Array(input.shape.dropFirst())) else {
            throw .badRequest(
                "input 'input': shape: expected \(model.inputShape) with -1 the number of images"
                    + (classifier.isImageModel ? " (or [-1, \(image.valueCount)])" : "")
                    + ", found \(input.shape)")
        }
        return input.shape[0]
    }

    private static func values(_ input: InferenceRequest.Input, count: Int, classifier: Classifier) throws(ServingError)
        -> [Float]
    {
        let size = count * classifier.inputSize
        let scaling = classifier.preprocessing.scaling
        switch (input.datatype, input.contents) {
        case ("UINT8", .numbers(let numbers)):
            let table = (0...255).map { scaling.scale(UInt8($0)) }
            var values = [Float](repeating: 0, count: numbers.count)
            for (index, number) in numbers.enumerated() {
                let pixel = Int(exactly: number) ?? -1
                guard (0...255).contains(pixel) else {
                    throw .badRequest("input 'input': data[\(index)]: expected a UINT8 (0 to 255), found \(number)")
                }
                values[index] = table[pixel]
            }
            return values
        case ("UINT8", .raw(let bytes)):
            guard bytes.count == size else {
                throw .badRequest("input 'input': binary data: expected \(size) bytes for UINT8, found \(bytes.count)")
            }
            return bytes.map(scaling.scale)
        case ("FP32", .numbers(let numbers)):
            for (index, number) in numbers.enumerated() where !number.isFinite || abs(number) > 3.4e38 {
                throw .badRequest("input 'input': data[\(index)]: expected a finite FP32, found \(number)")
            }
            return numbers.map { Float($0) }
        case ("FP32", .raw(let bytes)):
            guard bytes.count == size * 4 else {
                throw .badRequest(
                    "input 'input': binary data: expected \(size * 4) bytes for FP32 (4 a value), found \(bytes.count)")
            }
            var values = [Float](repeating: 0, count: size)
            values.withUnsafeMutableBytes { target in
                bytes.withUnsafeBytes { source in target.copyMemory(from: source) }
            }
            #if _endian(big)
                values = values.map { Float(bitPattern: $0.bitPattern.byteSwapped) }
            #endif
            if let index = values.firstIndex(where: { !$0.isFinite }) {
                throw .badRequest("input 'input': binary data: value \(index) is not finite (\(values[index]))")
            }
            return values
        default:
            throw .badRequest(
                "input 'input': datatype: expected UINT8 (pixels 0 to 255) or FP32 (pixel / 255), found "
                    + input.datatype)
        }
    }

    /// One encoded photo, decoded and prepared; its size is checked before decoding.
    private static func photo(_ bytes: [UInt8], index: Int, classifier: Classifier, maxPixels: Int) throws(ServingError)
        -> [UInt8]
    {
        let name = "input 'photos': photo \(index)"
        guard PhotoDecoder.kind(of: bytes) != nil else {
            throw ServingError(status: 415, "\(name): expected an encoded PNG or JPEG photo (by its first bytes)")
        }
        if let size = PhotoDecoder.declaredSize(bytes) {
            let (pixels, overflow) = size.width.multipliedReportingOverflow(by: size.height)
            guard !overflow, pixels <= maxPixels else {
                throw ServingError(
                    status: 413,
                    "\(name) declares \(size.width)x\(size.height) pixels; the server takes at most "
                        + "\(maxPixels) a photo"
                )
            }
        }
        do {
            let image = try PhotoDecoder.decode(bytes, path: "photo \(index)", maxPixels: maxPixels)
            return try classifier.prepare(image)
        } catch let error as DataError {
            throw .badRequest("input 'photos': \(error)")
        } catch {
            throw .badRequest("input 'photos': photo \(index): \(error)")
        }
    }
}
