import CKernels
import Foundation

/// Adam (Kingma & Ba 2015) with bias correction, as `torch.optim.Adam` with its defaults:
/// m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², θ ← θ − lr·m̂/(√v̂ + ε),
/// m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ).
public final class Adam {
    /// The step size; a `LearningRateSchedule` sets it before each update.
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    /// Steps taken so far (t of the bias correction).
    public private(set) var step: Int = 0
    /// First moments, one per parameter, in the order of `parameters`.
    public private(set) var firstMoments: [Tensor]
    /// Second moments, one per parameter.
    public private(set) var secondMoments: [Tensor]
    /// The parameters this optimiser updates, in order.
    public let parameters: [Parameter]

    /// Adam (Kingma & Ba 2015) over `parameters` with PyTorch's defaults; moments start at zero.
    public init(parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9,
                beta2: Float = 0.999, epsilon: Float = 1e-8) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        firstMoments = parameters.map { Tensor(shape: $0.value.shape) }
        secondMoments = parameters.map { Tensor(shape: $0.value.shape) }
    }

    /// Restores moments and step from a checkpoint (shapes must match the parameters).
    public func restore(step: Int, firstMoments: [Tensor], secondMoments: [Tensor]) {
        precondition(firstMoments.count == parameters.count && secondMoments.count == parameters.count)
        for (index, parameter) in parameters.enumerated() {
            precondition(firstMoments[index].shape == parameter.value.shape
                         && secondMoments[index].shape == parameter.value.shape, "Adam moment shape mismatch")
        }
        self.step = step
        self.firstMoments = firstMoments
        self.secondMoments = secondMoments
    }

    /// Parameters from which a tensor's update is shared among the cores: the MLP's two
    /// 313,600-weight layers took 14% of its step on one core.
    static let parallelCount = 1 << 16

    /// Applies one update from the parameters' accumulated gradients (gradients are not cleared).
    public func update() {
        step += 1
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        // As PyTorch: step size lr/(1−β₁ᵗ), denominator √v/√(1−β₂ᵗ) + ε.
        let correction1 = 1 - Foundation.pow(Double(b1), Double(step))
        let correction2 = 1 - Foundation.pow(Double(b2), Double(step))
        let stepSize = Float(Double(learningRate) / correction1)
        let rootCorrection2 = Float(correction2.squareRoot())
        for (index, parameter) in parameters.enumerated() {
            let count = parameter.value.count
            parameter.gradient.scalars.withUnsafeBufferPointer { g in
                firstMoments[index].scalars.withUnsafeMutableBufferPointer { m in
                    secondMoments[index].scalars.withUnsafeMutableBufferPointer { v in
                        parameter.value.scalars.withUnsafeMutableBufferPointer { theta in
                            guard let g = g.baseAddress, let m = m.baseAddress, let v = v.baseAddress,
                                  let theta = theta.baseAddress else { return }
                            // Element by element, so a split among the cores changes no result.
                            ParallelParts.split(count, threshold: Self.parallelCount) { r in
                                let start = r.lowerBound
                                bv_adam_update(r.count, g + start, m + start, v + start, theta + start, b1, b2, eps, stepSize, rootCorrection2)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Plain stochastic gradient descent: θ ← θ − lr·g.
public final class SGD {
    public let learningRate: Float
    private let parameters: [Parameter]

    /// SGD over `parameters` with step size `learningRate`.
    public init(parameters: [Parameter], learningRate: Float) {
        self.parameters = parameters
        self.learningRate = learningRate
    }

    /// Applies one update from the accumulated gradients.
    public func update() {
        let lr = learningRate
        for parameter in parameters {
            parameter.gradient.scalars.withUnsafeBufferPointer { g in
                parameter.value.scalars.withUnsafeMutableBufferPointer { theta in
                    for i in theta.indices { theta[i] -= lr * g[i] }
                }
            }
        }
    }
}

/// Gradient utilities shared by the optimisers.
public enum Gradients {
    /// The global L2 norm √(Σ g²) over all parameters' gradients.
    public static func norm(_ parameters: [Parameter]) -> Double {
        var total = 0.0
        for parameter in parameters {
            parameter.gradient.scalars.withUnsafeBufferPointer { g in
                var partial: Float = 0
                for value in g { partial += value * value }
                total += Double(partial)
            }
        }
        return total.squareRoot()
    }

    /// Scales all gradients by maxNorm/norm when the global norm exceeds `maxNorm`
    /// (`torch.nn.utils.clip_grad_norm_`). Returns the norm before clipping.
    @discardableResult
    public static func clip(_ parameters: [Parameter], maxNorm: Double) -> Double {
        let total = norm(parameters)
        guard total > maxNorm, total > 0 else { return total }
        let factor = Float(maxNorm / (total + 1e-6))
        for parameter in parameters {
            parameter.gradient.scalars.withUnsafeMutableBufferPointer { g in
                for i in g.indices { g[i] *= factor }
            }
        }
        return total
    }

    /// Sets every parameter's gradient to zero.
    public static func zero(_ parameters: [Parameter]) {
        for parameter in parameters { parameter.zeroGradient() }
    }
}
