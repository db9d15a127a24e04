/// Flattens `[N, d1, d2, ...]` to `[N, d1·d2·…]` (PyTorch's `nn.Flatten()`); backward restores the shape.
public final class Flatten: Layer {
    private var inputShape: [Int] = []
    public init() {}

    /// `[N, d1, d2, …]` → `[N, d1·d2·…]`, the same elements.
    public func forward(_ input: Tensor) -> Tensor {
        inputShape = input.shape
        return input.reshaped([input.rows, input.columns])
    }

    /// `[N, d1·d2·…]` → the forward input's shape.
    public func backward(_ outputGradient: Tensor) -> Tensor {
        outputGradient.reshaped(inputShape)
    }
}

/// Reshapes `[N, d]` to `[N] + shape` (PyTorch's `nn.Unflatten(1, shape)`), e.g. `[N, 512]` → `[N, 32, 4, 4]`.
public final class Unflatten: Layer {
    public let shape: [Int]
    private var inputShape: [Int] = []
    public init(_ shape: [Int]) { self.shape = shape }

    /// `[N, d]` → `[N] + shape` (d = the product of `shape`).
    public func forward(_ input: Tensor) -> Tensor {
        precondition(input.columns == shape.reduce(1, *), "Unflatten\(shape) got \(input.shape)")
        inputShape = input.shape
        return input.reshaped([input.rows] + shape)
    }

    /// `[N] + shape` → `[N, d]`.
    public func backward(_ outputGradient: Tensor) -> Tensor {
        outputGradient.reshaped(inputShape)
    }
}
