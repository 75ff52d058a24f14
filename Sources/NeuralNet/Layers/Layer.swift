import NumericCore

/// One step of a sequential network. Inputs and outputs are `[batch, features]` matrices
/// (images `[batch, height·width·channels]`, NHWC).
///
/// The contract every layer keeps (checked for every kind by `LayerContractTests`):
/// - `build(inputShape:generator:)` is the one way to allocate parameters.
/// - `backward` follows the mode of the last `forward`: after an inference-mode forward it is
///   the gradient of the inference-mode function (BatchNorm with its moving statistics,
///   Dropout as the identity).
/// - With `needsInputGradient`, `backward` returns dLoss/dInput, for the first layer too.
/// - `specification` describes the layer completely: `makeLayer()` of it builds the same
///   function (a model file stores nothing else about a layer but its tensors).
///
/// A layer owns its output and input-gradient buffers and reuses them every step, so the
/// matrix `forward` returns stays valid only until the layer's next `forward`. To run one
/// model from several threads at once, each thread takes `sharingWeights()` copies: the same
/// parameters, read-only, with buffers of their own.
public protocol Layer: AnyObject {
    /// How the layer is described in summaries and model files.
    var specification: LayerSpecification { get }
    /// Allocates the parameters for inputs of `inputShape`: `[features]`, or
    /// `[height, width, channels]` for images (one layout throughout: NHWC, each image's pixels
    /// row by row with their channels side by side, so a batch is the matrix
    /// `[batch, height·width·channels]`), drawing initial values from `generator`. Returns the
    /// output shape.
    func build(inputShape: [Int], generator: inout SeededGenerator) throws(ModelError) -> [Int]
    /// The output for `input`; `training` switches dropout and batch statistics on.
    func forward(_ input: Matrix, training: Bool) -> Matrix
    /// Given dLoss/dOutput for the last `forward`, writes the parameter gradients and
    /// returns dLoss/dInput (nil when `needsInputGradient` is false, to save the work).
    func backward(_ outputGradient: Matrix, needsInputGradient: Bool) -> Matrix?
    /// A built layer that computes the same function with the same parameter and state objects
    /// (shared, not copied) and buffers of its own. Inference-mode forwards of the copies may
    /// run on several threads at once, as none of them writes a parameter.
    func sharingWeights() -> any Layer
    /// The parameters the optimizer updates.
    var parameters: [Parameter] { get }
    /// Values saved with the model that no gradient updates (BatchNorm's running statistics).
    var state: [Parameter] { get }
}

extension Layer {
    public var parameters: [Parameter] { [] }
    public var state: [Parameter] { [] }
}
