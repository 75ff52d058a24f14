import Foundation

/// Results filled in by concurrent workers, one slot each (models are not Sendable; each
/// slot is written by one worker and read after all have finished, under a lock).
public final class Slots<Value>: @unchecked Sendable {
    private var storage: [Value?]
    private let lock = NSLock()

    public init(count: Int) { storage = [Value?](repeating: nil, count: count) }

    public subscript(index: Int) -> Value? {
        get { lock.withLock { storage[index] } }
        set { lock.withLock { storage[index] = newValue } }
    }

    public var values: [Value?] { lock.withLock { storage } }
}
