@testable import Engine

/// A layer's analytic backward against `FiniteDifference` (the one central-difference checker
/// every test target shares).
///
/// The scalar checked is L = Σ r ⊙ f(x) for a fixed random r, summed in Double, so ∂L/∂f = r feeds
/// `backward`. Each input and parameter element is moved by ±eps; errors are relative to the
/// largest analytic derivative of the same tensor.
struct GradientCheck {
    var eps: Float = 1e-2
    var tolerance: Double = 2e-3

    /// The comparison for the input gradient and for every parameter gradient (by name).
    func compare(_ layer: Layer, input: Tensor, seed: UInt64 = 7)
        -> (input: FiniteDifference.Comparison, parameters: [String: FiniteDifference.Comparison]) {
        var rng = RandomGenerator(seed: seed)
        let weights = rng.normalTensor(shape: layer.forward(input).shape)
        func loss(_ x: Tensor) -> Double {
            let y = layer.forward(x)
            var total = 0.0
            for i in 0..<y.count { total += Double(y[i]) * Double(weights[i]) }
            return total
        }
        for (_, p) in layer.namedParameters { p.zeroGradient() }
        _ = layer.forward(input)
        let analyticInput = layer.backward(weights)
        var parameters: [String: FiniteDifference.Comparison] = [:]
        for (name, parameter) in layer.namedParameters {
            parameters[name] = FiniteDifference.check(parameter, step: eps) { loss(input) }
        }
        return (FiniteDifference.check(at: input, analytic: analyticInput, step: eps, loss: loss), parameters)
    }
}
