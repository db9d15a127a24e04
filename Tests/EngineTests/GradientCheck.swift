@testable import Engine

/// Central finite differences against the analytic backward pass.
///
/// The scalar checked is L = Σ r ⊙ f(x) for a fixed random r, so ∂L/∂f = r feeds `backward`.
/// Each input and parameter element is moved by ±eps and (L₊ − L₋)/2eps is compared with the
/// analytic derivative; the error is measured relative to the largest analytic derivative.
struct GradientCheck {
    var eps: Float = 1e-2
    var tolerance: Double = 2e-3

    /// Largest relative error over the input gradient and every parameter gradient.
    func maxError(of layer: Layer, input: Tensor, seed: UInt64 = 7) -> (input: Double, parameters: [String: Double]) {
        var rng = RandomGenerator(seed: seed)
        let probe = layer.forward(input)
        let weights = rng.normalTensor(shape: probe.shape)
        func loss(_ x: Tensor) -> Double {
            let y = layer.forward(x)
            var total = 0.0
            for i in 0..<y.count { total += Double(y[i]) * Double(weights[i]) }
            return total
        }
        for (_, p) in layer.namedParameters { p.zeroGradient() }
        _ = layer.forward(input)
        let analyticInput = layer.backward(weights)
        let analyticParameters = layer.namedParameters.map { ($0.name, $0.parameter.gradient) }

        var numericInput = Tensor(shape: input.shape)
        for i in 0..<input.count {
            var plus = input, minus = input
            plus[i] += eps
            minus[i] -= eps
            numericInput[i] = Float((loss(plus) - loss(minus)) / Double(2 * eps))
        }
        var parameterErrors: [String: Double] = [:]
        for (name, parameter) in layer.namedParameters {
            var numeric = Tensor(shape: parameter.value.shape)
            for i in 0..<parameter.value.count {
                let saved = parameter.value[i]
                parameter.value[i] = saved + eps
                let up = loss(input)
                parameter.value[i] = saved - eps
                let down = loss(input)
                parameter.value[i] = saved
                numeric[i] = Float((up - down) / Double(2 * eps))
            }
            let analytic = analyticParameters.first { $0.0 == name }!.1
            parameterErrors[name] = relativeError(analytic, numeric)
        }
        return (relativeError(analyticInput, numericInput), parameterErrors)
    }

    /// max |a − n| / max(|a|_∞, 1e-6).
    func relativeError(_ analytic: Tensor, _ numeric: Tensor) -> Double {
        precondition(analytic.count == numeric.count)
        var worst = 0.0
        for i in 0..<analytic.count { worst = max(worst, Double(abs(analytic[i] - numeric[i]))) }
        return worst / max(Double(analytic.maxAbs()), 1e-6)
    }
}
