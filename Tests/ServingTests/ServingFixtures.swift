import FashionData
import Foundation
import Inference
import NeuralNet
import NumericCore
import Reports
import Testing
import _TestSupport

@testable import Serving

/// A small trained CNN on 8x8 images and a server over it, for the serving tests.
enum ServingFixtures {
    static let classNames = TinyModel.classNames

    static func modelFile(in folder: TemporaryFolder, name: String = "m.safetensors", seed: UInt64 = 4) throws
        -> (URL, LabeledImages)
    {
        let url = folder.file(name)
        return (url, try TinyModel.write(to: url, seed: seed))
    }

    static func server(
        in folder: TemporaryFolder, settings: InferenceServer.Settings = InferenceServer.Settings()
    ) throws -> (InferenceServer, LabeledImages) {
        let (url, images) = try modelFile(in: folder)
        let repository = try ModelRepository(entries: [ModelRepository.Entry(name: "tiny", path: url.path)])
        return (InferenceServer(repository: repository, settings: settings), images)
    }

    /// A PNG photo (grayscale) of `width` x `height` with a light blob on a dark background.
    static func photo(width: Int = 20, height: Int = 16, seed: Int = 0) -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width where abs(x - width / 2 - seed % 3) + abs(y - height / 2) < min(width, height) / 3 {
                pixels[y * width + x] = UInt8(120 + (x * 7 + y * 13 + seed * 31) % 130)
            }
        }
        return PNGEncoder.encode(width: width, height: height, colourType: .grayscale, pixels: pixels)
    }

    static func json(_ object: Any) -> [UInt8] {
        Array((try? JSONSerialization.data(withJSONObject: object)) ?? Data())
    }

    static func parse(_ bytes: [UInt8]) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:]
    }

    static func inferRequest(pixels: [UInt8], count: Int, nested: Bool = false, model: String = "tiny")
        -> ServeRequest
    {
        let data: Any =
            nested
            ? (0..<count).map { image in
                (0..<8).map { row in (0..<8).map { column in [Int(pixels[image * 64 + row * 8 + column])] } }
            } : pixels.map(Int.init)
        let body = json([
            "id": "r1", "inputs": [["name": "input", "datatype": "UINT8", "shape": [count, 8, 8, 1], "data": data]],
        ])
        return ServeRequest(method: "POST", path: "/v2/models/\(model)/infer", body: body)
    }

    /// The FP32 values of output `name` in a JSON response.
    static func floats(_ response: ServeResponse, output name: String = "probabilities") -> [Float] {
        let outputs = parse(response.body)["outputs"] as? [[String: Any]] ?? []
        let data = outputs.first { $0["name"] as? String == name }?["data"] as? [Any] ?? []
        return data.map { Float(($0 as? NSNumber)?.doubleValue ?? .nan) }
    }

    static func error(_ response: ServeResponse) -> String { parse(response.body)["error"] as? String ?? "" }
}
