/// A trainable tensor and the gradient accumulated for it.
public final class Parameter {
    /// The current value (PyTorch layout).
    public var value: Tensor
    /// ∂loss/∂value, accumulated by `backward` until `zeroGradient()`.
    public var gradient: Tensor

    /// A parameter holding `value` with a zero gradient of the same shape.
    public init(_ value: Tensor) {
        self.value = value
        self.gradient = Tensor(shape: value.shape)
    }

    /// Resets the accumulated gradient to zero.
    public func zeroGradient() { gradient.zero() }
}

/// A named parameter as it appears in a checkpoint (`encoder.0.weight`).
public typealias NamedParameter = (name: String, parameter: Parameter)

/// One stage of a network with explicit backpropagation (as in llm.c, not autograd).
///
/// `forward` keeps what `backward` needs; `backward` takes ∂loss/∂output of the most recent
/// forward, adds ∂loss/∂parameters to each parameter's gradient and returns ∂loss/∂input.
public protocol Layer: AnyObject {
    /// Maps a batch `[N, ...]` to a batch `[N, ...]`, caching what backward needs.
    func forward(_ input: Tensor) -> Tensor
    /// Returns ∂loss/∂input for ∂loss/∂output `outputGradient` of the last forward pass.
    func backward(_ outputGradient: Tensor) -> Tensor
    /// The layer's parameters with their PyTorch names (`weight`, `bias`); empty when it has none.
    var namedParameters: [NamedParameter] { get }
}

extension Layer {
    public var namedParameters: [NamedParameter] { [] }
}

/// Layers whose input gradient can be skipped (the first layer of a network needs none).
public protocol InputGradientOptional: Layer {
    /// When false, `backward` only accumulates parameter gradients and returns an empty tensor.
    var needsInputGradient: Bool { get set }
}

/// PyTorch's default initialisation for Linear and convolution layers:
/// weight ~ U(±1/√fan_in) (Kaiming-uniform with a = √5), bias ~ U(±1/√fan_in).
public enum DefaultInitialisation {
    /// Draws a weight of `shape` and a bias of `biasCount` elements for the given fan-in.
    public static func draw(weightShape shape: [Int], biasCount: Int, fanIn: Int,
                            rng: inout RandomGenerator) -> (weight: Tensor, bias: Tensor) {
        // gain = √(2 / (1 + a²)) with a = √5, bound = gain·√(3 / fan_in) = 1/√fan_in.
        let bound = 1 / Float(fanIn).squareRoot()
        let weight = rng.uniformTensor(shape: shape, low: -bound, high: bound)
        let bias = rng.uniformTensor(shape: [biasCount], low: -bound, high: bound)
        return (weight, bias)
    }

    /// `draw` as the two parameters of a layer.
    public static func parameters(weightShape shape: [Int], biasCount: Int, fanIn: Int,
                                  rng: inout RandomGenerator) -> (weight: Parameter, bias: Parameter) {
        let drawn = draw(weightShape: shape, biasCount: biasCount, fanIn: fanIn, rng: &rng)
        return (Parameter(drawn.weight), Parameter(drawn.bias))
    }
}
