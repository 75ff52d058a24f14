import Foundation
import FuzzDriver
import Serving

// An inference request body (JSON, or JSON and binary data after a 0 byte) sent to
// a server with one small model: it must answer, with a 4xx for anything malformed, never trap.
let server: InferenceServer = {
    let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Corpus/tiny.safetensors")
    let repository = try! ModelRepository(entries: [ModelRepository.Entry(name: "m", path: model.path)])
    return InferenceServer(repository: repository)
}()

func fuzz(_ bytes: [UInt8]) {
    var bytes = bytes
    var headers = [String: String]()
    // A first byte 0 means: the binary extension, the JSON's length in the next two bytes.
    if bytes.count > 3, bytes[0] == 0 {
        headers["Inference-Header-Content-Length"] = String(Int(bytes[1]) << 8 | Int(bytes[2]))
        bytes.removeFirst(3)
    }
    let semaphore = DispatchSemaphore(value: 0)
    Task {
        for path in ["/v2/models/m/infer", "/v2/models/m/explain"] {
            _ = await server.respond(to: ServeRequest(method: "POST", path: path, headers: headers, body: bytes))
        }
        semaphore.signal()
    }
    semaphore.wait()
}

@_cdecl("fuzz_serve_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzz)
}
