import Engine
import Foundation

/// FactorVAE's discriminator D (Kim & Mnih 2018, Appendix): an MLP from a code z `[M, Z]` to two
/// logits `[M, 2]`, logit 0 for "drawn from q(z)" and logit 1 for "drawn from Πⱼ q(zⱼ)"
/// (permuted), so that with D(z) = softmax(logits)₀
///
///     TC(z) ≈ E_q(z)[log D(z)/(1 − D(z))] = mean over the batch of (logit₀ − logit₁)
///     discriminator loss = ½[mean CE(D(z), 0) + mean CE(D(perm(z′)), 1)]
///
/// Layers: Linear(Z, H), LeakyReLU(0.2), (Linear(H, H), LeakyReLU(0.2)) × (L − 1), Linear(H, 2) —
/// PyTorch's `nn.Sequential` of the same modules, so its parameters are `discriminator.0.weight`,
/// `discriminator.2.weight`, … in a checkpoint. The paper's L = 6, H = 1000; it trains with its own
/// Adam (learning rate 1e-4, β₁ 0.5, β₂ 0.9: `optimizer()`).
public final class Discriminator {
    public static let learningRate: Float = 1e-4
    public static let beta1: Float = 0.5
    public static let beta2: Float = 0.9
    public static let slope: Float = 0.2

    let network: Sequential
    private var rows = 0

    /// A discriminator with PyTorch's default initialisation drawn from `rng`.
    public init(latent: Int, layers: Int, hidden: Int, rng: inout RandomGenerator) {
        precondition(latent > 0 && layers > 0 && hidden > 0, "discriminator sizes must be positive")
        var stack: [Layer] = []
        var width = latent
        for _ in 0..<layers {
            stack += [Linear(width, hidden, rng: &rng), LeakyReLU(slope: Self.slope)]
            width = hidden
        }
        stack.append(Linear(width, 2, rng: &rng))
        network = Sequential(stack)
    }

    /// Parameters under their checkpoint names, `discriminator.<index>.weight|bias`.
    public var namedParameters: [NamedParameter] { network.namedParameters.map { ("discriminator.\($0.name)", $0.parameter) } }

    /// The discriminator's own Adam with the paper's settings.
    public func optimizer() -> Adam {
        Adam(parameters: namedParameters.map(\.parameter), learningRate: Self.learningRate, beta1: Self.beta1, beta2: Self.beta2)
    }

    /// Logits `[M, 2]` of codes `[M, Z]` (keeps what the backward needs).
    public func logits(_ codes: Tensor) -> Tensor {
        rows = codes.rows
        return network.forward(codes)
    }

    /// The TC estimate mean(logit₀ − logit₁) of codes z `[M, Z]`; keeps the forward for `totalCorrelationBackward`.
    public func totalCorrelation(_ codes: Tensor) -> Double {
        let l = logits(codes)
        return (0..<l.rows).reduce(0.0) { $0 + Double(l[$1 * 2] - l[$1 * 2 + 1]) } / Double(max(l.rows, 1))
    }

    /// ∂(scale · TC)/∂z `[M, Z]` for the codes of the last `totalCorrelation`. It also adds to the
    /// discriminator's parameter gradients, which its own step zeroes before it accumulates.
    public func totalCorrelationBackward(scale: Double) -> Tensor {
        var g = Tensor(shape: [rows, 2])
        let each = Float(scale / Double(max(rows, 1)))
        for i in 0..<rows { g[i * 2] = each; g[i * 2 + 1] = -each }
        return network.backward(g)
    }

    /// The discriminator's loss on a batch, its accuracy, and the gradients of the loss with
    /// respect to both inputs (`[M, Z]` each).
    public struct Step {
        public var loss: Double
        /// The share of the 2M codes on the right side of logit₀ = logit₁.
        public var accuracy: Double
        public var realGradient: Tensor, permutedGradient: Tensor
    }

    /// Forward and backward of ½[mean CE(D(real), 0) + mean CE(D(permuted), 1)], both `[M, Z]`:
    /// adds ∂loss/∂θ to the discriminator's parameter gradients (zero them first).
    public func lossAndGradients(real: Tensor, permuted: Tensor) -> Step {
        let (loss, accuracy, gradient) = classify(real: real, permuted: permuted, wantsGradient: true)
        let input = network.backward(gradient!)
        let half = real.count
        return Step(loss: loss, accuracy: accuracy, realGradient: Tensor(shape: real.shape, scalars: Array(input.scalars[0..<half])),
                    permutedGradient: Tensor(shape: real.shape, scalars: Array(input.scalars[half...])))
    }

    /// The loss and accuracy of `lossAndGradients` without a backward pass (for the test rows).
    public func evaluate(real: Tensor, permuted: Tensor) -> (loss: Double, accuracy: Double) {
        let (loss, accuracy, _) = classify(real: real, permuted: permuted, wantsGradient: false)
        return (loss, accuracy)
    }

    /// Real codes labelled 0 and permuted ones 1, stacked `[2M, Z]`: the mean cross-entropy, the
    /// accuracy and ∂loss/∂logits `[2M, 2]`.
    private func classify(real: Tensor, permuted: Tensor, wantsGradient: Bool) -> (Double, Double, Tensor?) {
        precondition(real.shape == permuted.shape, "discriminator: real \(real.shape), permuted \(permuted.shape)")
        let m = real.rows, z = real.columns
        let l = logits(Tensor(shape: [2 * m, z], scalars: real.scalars + permuted.scalars))
        let labels = [Int](repeating: 0, count: m) + [Int](repeating: 1, count: m)
        let (perRow, gradient) = Losses.softmaxCrossEntropy(logits: l, labels: labels, gradientScale: wantsGradient ? 1 / Float(2 * m) : nil)
        var correct = 0
        for row in 0..<(2 * m) where (l[row * 2] > l[row * 2 + 1]) == (labels[row] == 0) { correct += 1 }
        return (perRow.reduce(0.0) { $0 + Double($1) } / Double(max(2 * m, 1)), Double(correct) / Double(max(2 * m, 1)), gradient)
    }
}
