/// A growable buffer of bytes a layer reuses every step (the masks of max pooling): like
/// `Matrix.resize`, it reallocates only when asked for more than it holds, and the contents
/// are whatever the last user wrote.
public final class ByteBuffer: @unchecked Sendable {
    public private(set) var pointer: UnsafeMutablePointer<UInt8>
    public private(set) var capacity: Int

    public init() {
        capacity = 0
        pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
    }

    /// Makes room for `count` bytes (zeros when it grows).
    public func reserve(_ count: Int) {
        guard count > capacity else { return }
        pointer.deallocate()
        capacity = count
        pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: count)
        pointer.initialize(repeating: 0, count: count)
    }

    deinit { pointer.deallocate() }
}
