/// Layers applied in order, as PyTorch's `nn.Sequential`: parameters are named
/// `"<index>.<name>"` (`0.weight`, `2.bias`), so a prefix such as `encoder.` gives
/// PyTorch's state-dict keys.
public final class Sequential: Layer {
    public let layers: [Layer]

    /// The layers, applied first to last; convolutions with only element-wise layers between
    /// them pass their shared tensor in oneDNN's layout (`ConvolutionLinks`).
    public init(_ layers: [Layer]) {
        self.layers = layers
        ConvolutionLinks.link(layers)
    }

    /// Applies each layer's forward in order.
    public func forward(_ input: Tensor) -> Tensor {
        layers.reduce(input) { $1.forward($0) }
    }

    /// Applies each layer's backward in reverse order, stopping after a layer that was told not
    /// to compute its input gradient (see `skipInputGradient`).
    public func backward(_ outputGradient: Tensor) -> Tensor {
        var gradient = outputGradient
        for layer in layers.reversed() {
            gradient = layer.backward(gradient)
            if let optional = layer as? InputGradientOptional, !optional.needsInputGradient { break }
        }
        return gradient
    }

    /// Every layer's parameters as `"<index>.<name>"`, in layer order.
    public var namedParameters: [NamedParameter] {
        layers.enumerated().flatMap { index, layer in
            layer.namedParameters.map { ("\(index).\($0.name)", $0.parameter) }
        }
    }

    /// Turns off the input gradient of the first layer (nothing upstream needs it: it saves one
    /// sgemm per step for an encoder's first Linear).
    public func skipInputGradient() {
        for layer in layers {
            if let optional = layer as? InputGradientOptional {
                optional.needsInputGradient = false
                return
            }
            if !layer.namedParameters.isEmpty { return }
        }
    }
}
