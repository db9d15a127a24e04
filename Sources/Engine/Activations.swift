import Foundation

/// Element-wise activations. Each keeps what its derivative needs (input or output) and
/// multiplies the incoming gradient by that derivative.

/// ReLU: y = max(x, 0); ∂x = ∂y·[x > 0]. Shapes: any, output like input.
public final class ReLU: Layer {
    private var output = Tensor(shape: [0])
    public init() {}

    public func forward(_ input: Tensor) -> Tensor {
        var y = input
        y.scalars.withUnsafeMutableBufferPointer { b in
            for i in b.indices { b[i] = Swift.max(b[i], 0) }
        }
        output = y
        return y
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        var dx = outputGradient
        output.scalars.withUnsafeBufferPointer { y in
            dx.scalars.withUnsafeMutableBufferPointer { d in
                for i in d.indices { d[i] = y[i] > 0 ? d[i] : 0 }
            }
        }
        return dx
    }
}

/// Leaky ReLU: y = x for x > 0, slope·x otherwise (PyTorch default slope 0.01).
public final class LeakyReLU: Layer {
    public let slope: Float
    private var input = Tensor(shape: [0])
    public init(slope: Float = 0.01) { self.slope = slope }

    public func forward(_ input: Tensor) -> Tensor {
        self.input = input
        var y = input
        let slope = self.slope
        y.scalars.withUnsafeMutableBufferPointer { b in
            for i in b.indices { b[i] = b[i] > 0 ? b[i] : slope * b[i] }
        }
        return y
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        var dx = outputGradient
        let slope = self.slope
        input.scalars.withUnsafeBufferPointer { x in
            dx.scalars.withUnsafeMutableBufferPointer { d in
                for i in d.indices { d[i] = x[i] > 0 ? d[i] : slope * d[i] }
            }
        }
        return dx
    }
}

/// Logistic sigmoid: y = 1 / (1 + e^(−x)); ∂x = ∂y·y·(1 − y).
public final class Sigmoid: Layer {
    private var output = Tensor(shape: [0])
    public init() {}

    /// The numerically stable logistic function for one value.
    @inlinable public static func logistic(_ x: Float) -> Float {
        x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
    }

    public func forward(_ input: Tensor) -> Tensor {
        var y = input
        y.scalars.withUnsafeMutableBufferPointer { b in
            for i in b.indices { b[i] = Sigmoid.logistic(b[i]) }
        }
        output = y
        return y
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        var dx = outputGradient
        output.scalars.withUnsafeBufferPointer { y in
            dx.scalars.withUnsafeMutableBufferPointer { d in
                for i in d.indices { d[i] *= y[i] * (1 - y[i]) }
            }
        }
        return dx
    }
}

/// Hyperbolic tangent: y = tanh(x); ∂x = ∂y·(1 − y²).
public final class Tanh: Layer {
    private var output = Tensor(shape: [0])
    public init() {}

    public func forward(_ input: Tensor) -> Tensor {
        var y = input
        y.scalars.withUnsafeMutableBufferPointer { b in
            for i in b.indices { b[i] = Foundation.tanh(b[i]) }
        }
        output = y
        return y
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        var dx = outputGradient
        output.scalars.withUnsafeBufferPointer { y in
            dx.scalars.withUnsafeMutableBufferPointer { d in
                for i in d.indices { d[i] *= 1 - y[i] * y[i] }
            }
        }
        return dx
    }
}
