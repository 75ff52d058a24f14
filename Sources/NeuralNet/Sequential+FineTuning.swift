import NumericCore

extension Sequential {
    /// Fine-tuning's start: copies each layer's parameters and state (batch norm's moving
    /// statistics) from the layer at the same place in `source` when the two are of the same kind
    /// and every tensor has the same shape. Returns the indices of the layers left as they were
    /// built, such as a last dense layer made for other classes. `head` says what becomes of the
    /// last dense layer when its shapes fit.
    @discardableResult
    public func copyWeights(from source: Sequential, head: HeadMapping = .keep) -> [Int] {
        var fresh = [Int]()
        let headIndex = layers.lastIndex { $0.specification.kind == .dense }
        for (index, layer) in layers.enumerated() {
            guard index < source.layers.count, !(index == headIndex && head == .fresh) else {
                fresh.append(index)
                continue
            }
            let other = source.layers[index]
            let mine = layer.parameters + layer.state
            let theirs = other.parameters + other.state
            let fits =
                layer.specification.kind == other.specification.kind && mine.count == theirs.count
                && zip(mine, theirs).allSatisfy {
                    $0.value.rows == $1.value.rows && $0.value.columns == $1.value.columns
                }
            guard fits else {
                fresh.append(index)
                continue
            }
            for (target, value) in zip(mine, theirs) {
                target.value.pointer.update(from: value.value.pointer, count: value.value.count)
            }
            if index == headIndex, case .reorder(let order) = head, order.count == mine.last?.value.columns,
                order.allSatisfy({ (0..<order.count).contains($0) })
            {
                // Output column j takes the source's column order[j], in the kernel and the bias.
                for (target, value) in zip(mine, theirs) {
                    let columns = target.value.columns
                    for row in 0..<target.value.rows {
                        for column in 0..<columns {
                            target.value.pointer[row * columns + column] =
                                value.value.pointer[row * columns + order[column]]
                        }
                    }
                }
            }
        }
        return fresh
    }

    /// Where the classes a model is fine-tuned for differ from those it was trained for.
    public enum HeadMapping: Equatable, Sendable {
        /// The same classes in the same order: the last dense layer is copied as it is.
        case keep
        /// The same classes in another order: output `j` is the source's output `order[j]`.
        case reorder([Int])
        /// Other classes: the last dense layer is left as built.
        case fresh

        /// The mapping from the classes a model was trained for to those of the new data. Names
        /// compare without case, and `/` matches `-` (a folder name cannot hold a `/`, so
        /// Fashion-MNIST's "T-shirt/top" is a folder's "T-shirt-top").
        public init(from source: [String], to target: [String]) {
            let key = { (name: String) in name.lowercased().replacingOccurrences(of: "/", with: "-") }
            let sourceKeys = source.map(key)
            let targetKeys = target.map(key)
            let distinct = Set(sourceKeys).count == sourceKeys.count
            if source == target || (distinct && sourceKeys == targetKeys) {
                self = .keep
            } else if distinct, sourceKeys.sorted() == targetKeys.sorted() {
                self = .reorder(targetKeys.map { sourceKeys.firstIndex(of: $0)! })
            } else {
                self = .fresh
            }
        }
    }
}
