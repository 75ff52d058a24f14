import NumericCore

extension Sequential {
    /// Fine-tuning's start: copies each layer's parameters and state (batch norm's moving
    /// statistics) from the layer at the same place in `source` when the two are of the same kind
    /// and every tensor has the same shape. Returns the indices of the layers left as they were
    /// built, such as a last dense layer made for other classes.
    @discardableResult
    public func copyWeights(from source: Sequential) -> [Int] {
        var fresh = [Int]()
        for (index, layer) in layers.enumerated() {
            guard index < source.layers.count else {
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
        }
        return fresh
    }
}
