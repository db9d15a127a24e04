import Engine
import Foundation
import Models
import Testing

/// One whole training step (`VAE.trainStep`: encoder, objective, decoder and back) against
/// `FiniteDifference` of the batch objective, with the noise ε fixed by a seed.
struct StepGradientCheck {
    var model: VAE
    var images: Tensor
    var labels: [Int] = []
    var objective: Objective
    var step = 0
    /// h, the move of each parameter element.
    var eps: Float = 3e-3
    /// Elements checked per parameter tensor (nil: all).
    var limit: Int? = nil

    /// The step's ε: what `trainStep` draws from a generator seeded 99.
    func noise(like mean: Tensor) -> Tensor {
        var rng = RandomGenerator(seed: 99)
        return ObjectiveLoss(objective: objective, likelihood: model.spec.likelihood).noise(like: mean, rng: &rng)
    }

    /// `trainStep`'s objective for the batch at the current parameters; accumulates the analytic gradient.
    @discardableResult
    func stepLoss() -> Double {
        var rng = RandomGenerator(seed: 99)
        Gradients.zero(model.namedParameters.map(\.parameter))
        return model.trainStep(images: images, labels: labels, objective: objective, step: step, rng: &rng).loss
    }

    /// The same objective recomputed in Double from the model's public forward passes (`encode`,
    /// `decode`) and the formulas: the network runs in Float32, but the loss sums over pixels and
    /// images carry no Float32 rounding, which would otherwise dominate central differences of a
    /// 784-pixel NLL (½ ulp of 543 nats over 2h = 1e-3 is 1.5e-2).
    func loss() -> Double {
        let (mean, logVariance) = model.encode(images, labels: labels)
        let objectiveLoss = ObjectiveLoss(objective: objective, likelihood: model.spec.likelihood)
        let output = model.decode(objectiveLoss.code(mean: mean, logVariance: logVariance, noise: noise(like: mean)), labels: labels)
        let n = Double(images.rows)
        var recon = 0.0
        for i in 0..<output.count {
            let (l, x) = (Double(output[i]), Double(images[i]))
            switch model.spec.likelihood {
            case .bernoulli: recon += max(l, 0) - l * x + log1p(exp(-abs(l)))
            case .gaussian: recon += 0.5 * (l - x) * (l - x) + 0.5 * log(2 * Double.pi)
            }
        }
        var kl = 0.0
        if objective != .deterministic {
            for i in 0..<mean.count {
                let (m, v) = (Double(mean[i]), Double(logVariance[i]))
                kl += 0.5 * (m * m + exp(v) - 1 - v)
            }
        }
        return objective.value(recon: recon / n, kl: kl / n, step: step)
    }

    /// The comparison for every parameter tensor, by its state-dict name.
    func compare() -> [(name: String, comparison: FiniteDifference.Comparison)] {
        let parameters = model.namedParameters
        stepLoss()
        let analytic = parameters.map(\.parameter.gradient)
        return zip(parameters, analytic).map { item, gradient in
            (item.name, FiniteDifference.check(item.parameter, analytic: gradient, step: eps, limit: limit) { loss() })
        }
    }

    /// Every parameter's relative error below `tolerance`; returns the comparisons.
    @discardableResult
    func expectAccurate(tolerance: Double, sourceLocation: SourceLocation = #_sourceLocation)
        -> [(name: String, comparison: FiniteDifference.Comparison)] {
        let (step, recomputed) = (stepLoss(), loss())
        #expect(abs(step - recomputed) <= 1e-5 * abs(recomputed), "trainStep's loss \(step), recomputed \(recomputed)",
                sourceLocation: sourceLocation)
        let comparisons = compare()
        #expect(comparisons.count == model.namedParameters.count, sourceLocation: sourceLocation)
        for (name, comparison) in comparisons {
            #expect(comparison.checked > 0, "\(name): nothing checked", sourceLocation: sourceLocation)
            #expect(comparison.relativeError < tolerance, "\(name): \(comparison)", sourceLocation: sourceLocation)
        }
        return comparisons
    }
}
