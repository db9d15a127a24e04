import Foundation
import Testing
@testable import Engine

@Suite struct OptimizerTests {
    /// One Adam step in closed form: with m₀ = v₀ = 0, m̂₁ = g and v̂₁ = g², so
    /// θ₁ = θ₀ − lr·g/(|g| + ε).
    @Test func adamFirstStepClosedForm() {
        let p = Parameter(Tensor(shape: [3], scalars: [1, -2, 0.5]))
        p.gradient = Tensor(shape: [3], scalars: [0.3, -4, 1e-9])
        let adam = Adam(parameters: [p], learningRate: 0.1)
        adam.update()
        let expected: [Double] = [1 - 0.1 * 0.3 / (0.3 + 1e-8), -2 + 0.1 * 4 / (4 + 1e-8), 0.5 - 0.1 * 1e-9 / (1e-9 + 1e-8)]
        for i in 0..<3 { #expect(abs(Double(p.value[i]) - expected[i]) < 1e-6) }
        #expect(adam.step == 1)
        #expect(abs(adam.firstMoments[0][1] - (-0.4)) < 1e-7)
        #expect(abs(adam.secondMoments[0][1] - 0.016) < 1e-6) // (1 − 0.999) is inexact in Float32
    }

    /// A second step with a different gradient, against the bias-corrected formula in Double.
    @Test func adamSecondStep() {
        let p = Parameter(Tensor(shape: [1], scalars: [0]))
        let adam = Adam(parameters: [p], learningRate: 0.01)
        p.gradient = Tensor(shape: [1], scalars: [1]); adam.update()
        p.gradient = Tensor(shape: [1], scalars: [-3]); adam.update()
        var m = 0.1 * 1.0, v = 0.001 * 1.0
        var theta = -0.01 * (m / 0.1) / ((v / 0.001).squareRoot() + 1e-8)
        m = 0.9 * m + 0.1 * -3; v = 0.999 * v + 0.001 * 9
        theta -= 0.01 * (m / (1 - 0.81)) / ((v / (1 - 0.999 * 0.999)).squareRoot() + 1e-8)
        #expect(abs(Double(p.value[0]) - theta) < 1e-6)
    }

    /// Least squares y = X·w* through a Linear layer: Adam drives the loss near zero and recovers w*.
    @Test func adamFitsLinearRegression() {
        var rng = RandomGenerator(seed: 11)
        let x = rng.normalTensor(shape: [64, 3])
        let truth: [Float] = [2, -1, 0.5]
        var y = Tensor(shape: [64, 1])
        for n in 0..<64 { y[n] = (0..<3).reduce(0.3) { $0 + truth[$1] * x[n * 3 + $1] } }
        let layer = Linear(3, 1, rng: &rng)
        let adam = Adam(parameters: [layer.weight, layer.bias], learningRate: 0.05)
        var loss: Float = .infinity
        for _ in 0..<500 {
            layer.weight.zeroGradient(); layer.bias.zeroGradient()
            let prediction = layer.forward(x)
            let (perImage, gradient) = Losses.gaussianNLL(predictions: prediction, targets: y, gradientScale: 1 / 64)
            loss = perImage.reduce(0, +) / 64 - Float(Losses.halfLogTwoPi)
            _ = layer.backward(gradient!)
            adam.update()
        }
        #expect(loss < 1e-4)
        for i in 0..<3 { #expect(abs(layer.weight.value[i] - truth[i]) < 0.01) }
        #expect(abs(layer.bias.value[0] - 0.3) < 0.01)
    }

    @Test func sgdStep() {
        let p = Parameter(Tensor(shape: [2], scalars: [1, 2]))
        p.gradient = Tensor(shape: [2], scalars: [0.5, -1])
        SGD(parameters: [p], learningRate: 0.1).update()
        #expect(p.value.scalars == [0.95, 2.1])
    }

    @Test func gradientClipping() {
        let p = Parameter(Tensor(shape: [2]))
        p.gradient = Tensor(shape: [2], scalars: [3, 4])
        let before = Gradients.clip([p], maxNorm: 1)
        #expect(abs(before - 5) < 1e-9)
        #expect(abs(Gradients.norm([p]) - 1) < 1e-5)
        #expect(abs(p.gradient[0] - 0.6) < 1e-5)
        Gradients.clip([p], maxNorm: 10)
        #expect(abs(p.gradient[1] - 0.8) < 1e-5)
    }
}
