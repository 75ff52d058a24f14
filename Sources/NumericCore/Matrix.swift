/// A row-major `[rows, columns]` matrix of `Float` with reference semantics: the buffers of
/// training (activations, gradients, workspaces) are allocated once and reused every step,
/// so passing one between layers must not copy it. Capacity only grows; `resize` within
/// the capacity costs nothing. Contents after a resize are unspecified until written.
public final class Matrix: @unchecked Sendable {
    public private(set) var rows: Int
    public private(set) var columns: Int
    public private(set) var capacity: Int
    public private(set) var pointer: UnsafeMutablePointer<Float>

    public var count: Int { rows * columns }
    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }

    public init(rows: Int, columns: Int, repeating value: Float = 0) {
        self.rows = rows
        self.columns = columns
        capacity = max(1, rows * columns)
        pointer = Matrix.allocate(capacity)
        pointer.initialize(repeating: value, count: capacity)
    }

    public convenience init(rows: Int, columns: Int, values: [Float]) {
        precondition(values.count == rows * columns, "values do not fill a \(rows)x\(columns) matrix")
        self.init(rows: rows, columns: columns)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    deinit { pointer.deallocate() }

    /// Cache-line aligned storage, so that threads writing neighbouring blocks of a matrix
    /// never share a line by accident of where the allocation began.
    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: count)
    }

    /// Changes the shape, reallocating only when the new size exceeds the capacity.
    public func resize(rows newRows: Int, columns newColumns: Int) {
        let needed = newRows * newColumns
        if needed > capacity {
            pointer.deallocate()
            capacity = needed
            pointer = Matrix.allocate(needed)
            pointer.initialize(repeating: 0, count: needed)
        }
        rows = newRows
        columns = newColumns
    }

    public subscript(row: Int, column: Int) -> Float {
        get { pointer[row * columns + column] }
        set { pointer[row * columns + column] = newValue }
    }

    public var values: [Float] { Array(buffer) }

    public func fill(_ value: Float) { pointer.update(repeating: value, count: count) }
}
