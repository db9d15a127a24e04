import CKernels
import Foundation

/// Element-wise activations. Each keeps what its derivative needs (its input or its output) and
/// multiplies the incoming gradient by that derivative; `Elementwise` owns the two loops, each
/// layer only its formula. Shapes: any, output like input.

/// The loops shared by every element-wise layer: y = f(x), and ∂x = rule(∂y, saved) with `saved`
/// the input or output the layer kept. Inlined, so each layer's closure compiles into its loop.
enum Elementwise {
    /// y[i] = f(x[i]) in one pass into a fresh tensor: `var y = input` then mutating would copy
    /// the input first (the caller still holds it), a second pass over the data.
    @inline(__always)
    static func map(_ input: Tensor, _ f: (Float) -> Float) -> Tensor {
        let scalars = input.scalars.withUnsafeBufferPointer { x in
            [Float](unsafeUninitializedCapacity: x.count) { y, initialized in
                for i in 0..<x.count { y[i] = f(x[i]) }
                initialized = x.count
            }
        }
        return Tensor(shape: input.shape, scalars: scalars)
    }

    /// Elements from which `split` shares a pass among the cores.
    static let parallelCount = 1 << 18

    /// A fresh tensor shaped like `first`, written by `kernel(first, second, result, count)` over
    /// offset pointers of each core's share of the elements (one share below `parallelCount`).
    static func split(_ first: Tensor, _ second: Tensor?,
                      _ kernel: (UnsafePointer<Float>, UnsafePointer<Float>?, UnsafeMutablePointer<Float>, Int) -> Void) -> Tensor {
        precondition(second == nil || second!.count == first.count, "element-wise pass over \(first.shape) and \(second!.shape)")
        let count = first.count
        var result = Tensor.unfilled(shape: first.shape)
        first.scalars.withUnsafeBufferPointer { a in
            (second?.scalars ?? []).withUnsafeBufferPointer { b in
                result.scalars.withUnsafeMutableBufferPointer { out in
                    guard let a = a.baseAddress, let out = out.baseAddress else { return }
                    let b = b.baseAddress
                    ParallelParts.split(count, threshold: parallelCount) { r in
                        kernel(a + r.lowerBound, b.map { $0 + r.lowerBound }, out + r.lowerBound, r.count)
                    }
                }
            }
        }
        return result
    }

    /// ∂x[i] = rule(∂y[i], saved[i]) in one pass into a fresh tensor.
    @inline(__always)
    static func backward(_ outputGradient: Tensor, saved: Tensor, _ rule: (_ gradient: Float, _ saved: Float) -> Float) -> Tensor {
        precondition(saved.count == outputGradient.count, "gradient \(outputGradient.shape) for a saved \(saved.shape)")
        let scalars = outputGradient.scalars.withUnsafeBufferPointer { d in
            saved.scalars.withUnsafeBufferPointer { s in
                [Float](unsafeUninitializedCapacity: d.count) { dx, initialized in
                    for i in 0..<d.count { dx[i] = rule(d[i], s[i]) }
                    initialized = d.count
                }
            }
        }
        return Tensor(shape: outputGradient.shape, scalars: scalars)
    }
}

/// ReLU: y = max(x, 0); ∂x = ∂y·[x > 0] (a select, so an infinite ∂y at x ≤ 0 gives 0, as PyTorch).
/// Its loops are C kernels run on the cores' shares of the tensor (`Elementwise.split`): the
/// conv nets' ReLUs pass over 8 MB activations, and on one core they took 8% of a burgess step.
public final class ReLU: ElementwiseLayer {
    private var output = Tensor(shape: [0])
    /// Set by `ConvolutionLinks` when the convolutions on either side compute this ReLU (the one
    /// before writes max(y, 0), the one after masks its ∂x): both passes hand their tensor on.
    var passesThrough = false
    public init() {}

    /// y = max(x, 0), any shape; keeps y for backward.
    public func forward(_ input: Tensor) -> Tensor {
        if passesThrough { return input }
        output = Elementwise.split(input, nil) { x, _, y, count in bv_relu_forward(count, x, y) }
        return output
    }

    /// ∂x = ∂y where y > 0, else 0; shape of ∂y.
    public func backward(_ outputGradient: Tensor) -> Tensor {
        if passesThrough { return outputGradient }
        return Elementwise.split(outputGradient, output) { dy, y, dx, count in bv_relu_backward(count, dy, y!, dx) }
    }
}

/// Leaky ReLU: y = x for x > 0, slope·x otherwise (PyTorch default slope 0.01); ∂x = ∂y or slope·∂y.
public final class LeakyReLU: ElementwiseLayer {
    public let slope: Float
    private var input = Tensor(shape: [0])
    public init(slope: Float = 0.01) { self.slope = slope }

    /// y = x (x > 0) or slope·x, any shape; keeps x for backward.
    public func forward(_ input: Tensor) -> Tensor {
        self.input = input
        let slope = self.slope
        return Elementwise.map(input) { $0 > 0 ? $0 : slope * $0 }
    }

    /// ∂x = ∂y (x > 0) or slope·∂y; shape of ∂y.
    public func backward(_ outputGradient: Tensor) -> Tensor {
        let slope = self.slope
        return Elementwise.backward(outputGradient, saved: input) { d, x in x > 0 ? d : slope * d }
    }
}

/// Logistic sigmoid: y = σ(x); ∂x = ∂y·y(1 − y).
public final class Sigmoid: ElementwiseLayer {
    private var output = Tensor(shape: [0])
    public init() {}

    /// The numerically stable logistic function for one value.
    @inlinable public static func logistic(_ x: Float) -> Float {
        x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
    }

    /// y = σ(x) = 1/(1 + e^−x), any shape; keeps y for backward.
    public func forward(_ input: Tensor) -> Tensor {
        output = Elementwise.map(input, Sigmoid.logistic)
        return output
    }

    /// ∂x = ∂y·y(1 − y); shape of ∂y.
    public func backward(_ outputGradient: Tensor) -> Tensor {
        Elementwise.backward(outputGradient, saved: output) { d, y in d * (y * (1 - y)) }
    }
}

/// Hyperbolic tangent: y = tanh(x); ∂x = ∂y·(1 − y²).
public final class Tanh: ElementwiseLayer {
    private var output = Tensor(shape: [0])
    public init() {}

    /// y = tanh(x), any shape; keeps y for backward.
    public func forward(_ input: Tensor) -> Tensor {
        output = Elementwise.map(input) { Foundation.tanh($0) }
        return output
    }

    /// ∂x = ∂y·(1 − y²); shape of ∂y.
    public func backward(_ outputGradient: Tensor) -> Tensor {
        Elementwise.backward(outputGradient, saved: output) { d, y in d * (1 - y * y) }
    }
}
