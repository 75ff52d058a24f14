/// The endpoints of the server, read from a request's method and path.
enum Route: Equatable, Sendable {
    case page
    case metrics
    case serverMetadata
    case live
    case ready
    case repositoryIndex
    case modelMetadata(model: String, version: String?)
    case modelReady(model: String, version: String?)
    case infer(model: String, version: String?)
    /// A saliency map of one image (fashion's extension, for the page).
    case explain(model: String, version: String?)

    /// The label of the endpoint in `/metrics`.
    var name: String {
        switch self {
        case .page: return "page"
        case .metrics: return "metrics"
        case .serverMetadata: return "server_metadata"
        case .live: return "health_live"
        case .ready: return "health_ready"
        case .repositoryIndex: return "repository_index"
        case .modelMetadata: return "model_metadata"
        case .modelReady: return "model_ready"
        case .infer: return "infer"
        case .explain: return "explain"
        }
    }

    var model: String? {
        switch self {
        case .modelMetadata(let model, _), .modelReady(let model, _), .infer(let model, _), .explain(let model, _):
            return model
        default: return nil
        }
    }

    /// The method the endpoint takes.
    var method: String {
        switch self {
        case .infer, .explain, .repositoryIndex: return "POST"
        default: return "GET"
        }
    }

    /// The route of `path`, or nil for a path the server does not have.
    init?(path: String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        switch parts.count {
        case 0: self = .page
        case 1 where parts[0] == "index.html": self = .page
        case 1 where parts[0] == "metrics": self = .metrics
        case 1 where parts[0] == "v2": self = .serverMetadata
        default:
            guard parts[0] == "v2" else { return nil }
            let rest = Array(parts.dropFirst())
            if rest == ["health", "live"] {
                self = .live
            } else if rest == ["health", "ready"] {
                self = .ready
            } else if rest == ["repository", "index"] {
                self = .repositoryIndex
            } else if rest.count >= 2, rest[0] == "models" {
                let model = rest[1]
                var tail = Array(rest.dropFirst(2))
                var version: String?
                if tail.count >= 2, tail[0] == "versions" {
                    version = tail[1]
                    tail.removeFirst(2)
                }
                switch tail {
                case []: self = .modelMetadata(model: model, version: version)
                case ["ready"]: self = .modelReady(model: model, version: version)
                case ["infer"]: self = .infer(model: model, version: version)
                case ["explain"]: self = .explain(model: model, version: version)
                default: return nil
                }
            } else {
                return nil
            }
        }
    }
}
