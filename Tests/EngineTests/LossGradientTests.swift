import Foundation
import Testing
@testable import Engine

/// Losses against closed forms, and their analytic gradients against central differences
/// (`FiniteDifference`): relative errors below 2e-3 in Float32.
@Suite struct LossGradientTests {
    func normal(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        var t = rng.normalTensor(shape: shape)
        for i in 0..<t.count { t[i] *= scale }
        return t
    }

    func uniform(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        return rng.uniformTensor(shape: shape, low: 0, high: 1)
    }

    /// `analytic` against `FiniteDifference` of `loss` (summed in Double) around `x`: relative
    /// error below `tolerance` in Float32.
    func expectGradient(_ analytic: Tensor, at x: Tensor, step: Float = 1e-3, tolerance: Double = 2e-3,
                        sourceLocation: SourceLocation = #_sourceLocation, loss: (Tensor) -> Double) {
        let comparison = FiniteDifference.check(at: x, analytic: analytic, step: step, loss: loss)
        #expect(comparison.checked == x.count, sourceLocation: sourceLocation)
        #expect(comparison.relativeError < tolerance, "\(comparison)", sourceLocation: sourceLocation)
    }

    @Test func bernoulliMatchesDefinitionAndIsStable() {
        let logits = Tensor(shape: [2, 3], scalars: [0, 2, -3, 100, -100, 0.5])
        let targets = Tensor(shape: [2, 3], scalars: [1, 0, 0.25, 1, 0, 1])
        let (perImage, _) = Losses.bernoulliNLL(logits: logits, targets: targets)
        func bce(_ l: Double, _ x: Double) -> Double {
            let p = 1 / (1 + exp(-l))
            return -(x * log(p) + (1 - x) * log(1 - p))
        }
        let first = bce(0, 1) + bce(2, 0) + bce(-3, 0.25)
        #expect(abs(Double(perImage[0]) - first) < 1e-5)
        // log(1 + e^-100) underflows to 0 in closed form; the stable form gives ≈ 0 + 0 + bce(0.5, 1).
        #expect(abs(Double(perImage[1]) - bce(0.5, 1)) < 1e-5)
        #expect(perImage.allSatisfy { $0.isFinite })
    }

    @Test func bernoulliGradient() {
        let logits = normal([3, 5], seed: 1, scale: 3)
        let targets = uniform([3, 5], seed: 2)
        let scale: Float = 0.5
        let (_, gradient) = Losses.bernoulliNLL(logits: logits, targets: targets, gradientScale: scale)
        expectGradient(gradient!, at: logits) { l in
            Double(scale) * Losses.bernoulliNLL(logits: l, targets: targets).perImage.reduce(0) { $0 + Double($1) }
        }
    }

    @Test func gaussianNLLValueAndGradient() {
        let predictions = normal([2, 4], seed: 3)
        let targets = uniform([2, 4], seed: 4)
        let (perImage, gradient) = Losses.gaussianNLL(predictions: predictions, targets: targets, gradientScale: 1)
        var expected = 0.0
        for i in 0..<4 { expected += 0.5 * pow(Double(predictions[i] - targets[i]), 2) }
        expected += 4 * 0.5 * log(2 * Double.pi)
        #expect(abs(Double(perImage[0]) - expected) < 1e-5)
        expectGradient(gradient!, at: predictions) { p in
            Losses.gaussianNLL(predictions: p, targets: targets).perImage.reduce(0) { $0 + Double($1) }
        }
    }

    @Test func klClosedFormAndGradient() {
        let mean = normal([3, 4], seed: 5)
        let logVariance = normal([3, 4], seed: 6, scale: 0.7)
        let kl = Losses.gaussianKL(mean: mean, logVariance: logVariance)
        // KL(N(1, e^0) ‖ N(0,1)) = ½; KL(N(0, e²) ‖ N(0,1)) = ½(e² − 1 − 2).
        let known = Losses.gaussianKL(mean: Tensor(shape: [1, 2], scalars: [1, 0]),
                                      logVariance: Tensor(shape: [1, 2], scalars: [0, 2]))
        #expect(abs(known[0] - 0.5) < 1e-6)
        #expect(abs(Double(known[1]) - 0.5 * (exp(2) - 3)) < 1e-5)
        #expect((0..<kl.count).allSatisfy { kl[$0] >= 0 })
        let scale: Float = 1.7
        let (dMean, dLogVariance) = Losses.gaussianKLGradient(mean: mean, logVariance: logVariance, scale: scale)
        expectGradient(dMean, at: mean) { m in Double(scale) * Losses.gaussianKL(mean: m, logVariance: logVariance).sum() }
        expectGradient(dLogVariance, at: logVariance) { v in Double(scale) * Losses.gaussianKL(mean: mean, logVariance: v).sum() }
    }

    @Test func reparameterizationGradient() {
        let mean = normal([2, 3], seed: 7)
        let logVariance = normal([2, 3], seed: 8, scale: 0.5)
        let noise = normal([2, 3], seed: 9)
        let weights = normal([2, 3], seed: 10)
        let z = Losses.reparameterize(mean: mean, logVariance: logVariance, noise: noise)
        #expect(abs(z[0] - (mean[0] + exp(0.5 * logVariance[0]) * noise[0])) < 1e-6)
        func loss(_ m: Tensor, _ v: Tensor) -> Double {
            let z = Losses.reparameterize(mean: m, logVariance: v, noise: noise)
            return (0..<z.count).reduce(0) { $0 + Double(z[$1]) * Double(weights[$1]) }
        }
        let (dMean, dLogVariance) = Losses.reparameterizeBackward(weights, logVariance: logVariance, noise: noise)
        expectGradient(dMean, at: mean) { loss($0, logVariance) }
        expectGradient(dLogVariance, at: logVariance) { loss(mean, $0) }
    }

    @Test func softmaxCrossEntropyValueAndGradient() {
        let logits = normal([4, 5], seed: 11, scale: 2)
        let labels = [0, 3, 4, 1]
        let (perRow, gradient) = Losses.softmaxCrossEntropy(logits: logits, labels: labels, gradientScale: 0.25)
        // Row 0 against its definition, in Double.
        let row = (0..<5).map { Double(logits[$0]) }
        let expected = log(row.map(exp).reduce(0, +)) - row[0]
        #expect(abs(Double(perRow[0]) - expected) < 1e-5)
        // Stable for huge logits.
        let huge = Losses.softmaxCrossEntropy(logits: Tensor(shape: [1, 2], scalars: [1000, 0]), labels: [1]).perRow[0]
        #expect(abs(huge - 1000) < 1e-3)
        expectGradient(gradient!, at: logits) { l in
            0.25 * Losses.softmaxCrossEntropy(logits: l, labels: labels).perRow.reduce(0) { $0 + Double($1) }
        }
    }
}
