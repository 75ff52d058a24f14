/// Sizes a model may have, checked before anything is allocated: a specification comes from a
/// file or a command line, and a size read there must not exhaust the machine.
public enum ModelLimits {
    /// The most values one tensor may hold (a layer's kernel, one input image): 2^27, 512 MiB
    /// of `Float`. Models of this project's kind are far below it (cnn-best: 1.6 million
    /// parameters in all); change it here for a larger one.
    public static let maximumTensorValues = 1 << 27

    /// The product of `sizes`, or an error naming `what` when it overflows or passes the limit.
    public static func values(_ sizes: [Int], of what: String) throws(ModelError) -> Int {
        var product = 1
        for size in sizes {
            let (next, overflow) = product.multipliedReportingOverflow(by: max(0, size))
            guard !overflow, next <= maximumTensorValues else {
                throw .invalidSpecification(
                    "\(what) of \(sizes.map(String.init).joined(separator: " x ")) values is over the limit of "
                        + "\(maximumTensorValues) values a tensor (ModelLimits.maximumTensorValues)")
            }
            product = next
        }
        return product
    }
}
