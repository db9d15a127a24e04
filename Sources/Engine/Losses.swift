import CKernels
import Foundation

/// Reconstruction losses and the Gaussian KL term of the VAE objective, with their analytic
/// gradients. Everything is in nats; per-image values are sums over pixels (or latent dimensions).
public enum Losses {
    /// ½·log 2π, the per-pixel constant of the unit-variance Gaussian NLL.
    public static let halfLogTwoPi = 0.5 * Foundation.log(2 * Double.pi)

    /// Bernoulli negative log-likelihood from logits (BCE-with-logits, summed over pixels):
    /// ℓ(l, x) = max(l, 0) − l·x + log(1 + e^(−|l|)), stable for any l.
    ///
    /// - Shapes: `logits` and `targets` `[N, ...]` with the same element count.
    /// - Returns: per-image NLL `[N]`; when `gradientScale` is given, also
    ///   ∂ = gradientScale·(σ(l) − x) with the logits' shape (pass 1/N for a batch mean).
    public static func bernoulliNLL(logits: Tensor, targets: Tensor,
                                    gradientScale: Float? = nil) -> (perImage: [Float], gradient: Tensor?) {
        precondition(logits.count == targets.count, "BCE: logits \(logits.shape) vs targets \(targets.shape)")
        let n = logits.rows, d = logits.columns
        var perImage = [Float](repeating: 0, count: n)
        let wantsGradient = gradientScale != nil
        // The kernel writes every gradient element.
        var gradient = Tensor.unfilled(shape: [wantsGradient ? logits.count : 0]).scalars
        logits.scalars.withUnsafeBufferPointer { l in
            targets.scalars.withUnsafeBufferPointer { x in
                perImage.withUnsafeMutableBufferPointer { out in
                    gradient.withUnsafeMutableBufferPointer { g in
                        guard let l = l.baseAddress, let x = x.baseAddress, let out = out.baseAddress else { return }
                        let g = wantsGradient ? g.baseAddress : nil
                        // Rows are independent (each row's sum keeps its order), so splitting the
                        // batch among the cores changes no result.
                        ParallelParts.split(n, unitSize: d, threshold: Elementwise.parallelCount / 4) { rows in
                            let start = rows.lowerBound
                            bv_bce_with_logits(rows.count, d, l + start * d, x + start * d, out + start,
                                               g.map { $0 + start * d }, gradientScale ?? 0)
                        }
                    }
                }
            }
        }
        return (perImage, wantsGradient ? Tensor(shape: logits.shape, scalars: gradient) : nil)
    }

    /// Gaussian negative log-likelihood with unit variance, summed over pixels:
    /// ½‖x − x̂‖² + ½·D·log 2π.
    ///
    /// - Shapes: `predictions` and `targets` `[N, ...]`, D elements per image.
    /// - Returns: per-image NLL `[N]` and, when `gradientScale` is given,
    ///   ∂/∂x̂ = gradientScale·(x̂ − x).
    public static func gaussianNLL(predictions: Tensor, targets: Tensor,
                                   gradientScale: Float? = nil) -> (perImage: [Float], gradient: Tensor?) {
        precondition(predictions.count == targets.count, "Gaussian NLL: \(predictions.shape) vs \(targets.shape)")
        let n = predictions.rows, d = predictions.columns
        let constant = Float(Double(d) * halfLogTwoPi)
        var perImage = [Float](repeating: 0, count: n)
        var gradient: Tensor? = gradientScale.map { _ in Tensor(shape: predictions.shape) }
        predictions.scalars.withUnsafeBufferPointer { p in
            targets.scalars.withUnsafeBufferPointer { x in
                for row in 0..<n {
                    var total: Float = 0
                    for i in (row * d)..<(row * d + d) {
                        let r = p[i] - x[i]
                        total += r * r
                    }
                    perImage[row] = 0.5 * total + constant
                }
                if let scale = gradientScale {
                    gradient?.scalars.withUnsafeMutableBufferPointer { g in
                        for i in g.indices { g[i] = scale * (p[i] - x[i]) }
                    }
                }
            }
        }
        return (perImage, gradient)
    }

    /// KL(N(μ, σ²) ‖ N(0, 1)) per image and dimension: ½(μ² + e^(log σ²) − 1 − log σ²).
    ///
    /// - Shapes: `mean`, `logVariance` `[N, Z]`; returns `[N, Z]`.
    public static func gaussianKL(mean: Tensor, logVariance: Tensor) -> Tensor {
        precondition(mean.shape == logVariance.shape, "KL: μ \(mean.shape) vs log σ² \(logVariance.shape)")
        var kl = Tensor(shape: mean.shape)
        mean.scalars.withUnsafeBufferPointer { mu in
            logVariance.scalars.withUnsafeBufferPointer { lv in
                kl.scalars.withUnsafeMutableBufferPointer { out in
                    for i in out.indices {
                        out[i] = 0.5 * (mu[i] * mu[i] + Foundation.exp(lv[i]) - 1 - lv[i])
                    }
                }
            }
        }
        return kl
    }

    /// Gradient of `scale · Σ KL` with respect to μ and log σ²:
    /// ∂/∂μ = scale·μ, ∂/∂log σ² = scale·½(e^(log σ²) − 1). Shapes `[N, Z]`.
    public static func gaussianKLGradient(mean: Tensor, logVariance: Tensor,
                                          scale: Float) -> (mean: Tensor, logVariance: Tensor) {
        var dMean = mean
        var dLogVariance = logVariance
        dMean.scalars.withUnsafeMutableBufferPointer { d in
            for i in d.indices { d[i] *= scale }
        }
        dLogVariance.scalars.withUnsafeMutableBufferPointer { d in
            for i in d.indices { d[i] = scale * 0.5 * (Foundation.exp(d[i]) - 1) }
        }
        return (dMean, dLogVariance)
    }

    /// The reparameterisation z = μ + σ·ε with σ = e^(½ log σ²) (Kingma & Welling 2014).
    ///
    /// - Shapes: `mean`, `logVariance`, `noise` `[N, Z]`; returns z `[N, Z]`.
    public static func reparameterize(mean: Tensor, logVariance: Tensor, noise: Tensor) -> Tensor {
        precondition(mean.shape == logVariance.shape && mean.shape == noise.shape, "reparameterize: shapes differ")
        var z = mean
        logVariance.scalars.withUnsafeBufferPointer { lv in
            noise.scalars.withUnsafeBufferPointer { eps in
                z.scalars.withUnsafeMutableBufferPointer { out in
                    for i in out.indices { out[i] += Foundation.exp(0.5 * lv[i]) * eps[i] }
                }
            }
        }
        return z
    }

    /// Backward of the reparameterisation: ∂μ = ∂z, ∂log σ² = ∂z·ε·½σ. Shapes `[N, Z]`.
    public static func reparameterizeBackward(_ dz: Tensor, logVariance: Tensor,
                                              noise: Tensor) -> (mean: Tensor, logVariance: Tensor) {
        var dLogVariance = dz
        logVariance.scalars.withUnsafeBufferPointer { lv in
            noise.scalars.withUnsafeBufferPointer { eps in
                dLogVariance.scalars.withUnsafeMutableBufferPointer { d in
                    for i in d.indices { d[i] *= eps[i] * 0.5 * Foundation.exp(0.5 * lv[i]) }
                }
            }
        }
        return (dz, dLogVariance)
    }
}

extension Losses {
    /// Softmax cross-entropy from logits: ℓ = −log softmax(l)[y] = logsumexp(l) − l[y], stable
    /// (the row maximum is subtracted before exponentiating).
    ///
    /// - Shapes: `logits` `[N, K]`, `labels` N class indices in 0..<K.
    /// - Returns: per-row loss `[N]` and, when `gradientScale` is given,
    ///   ∂ = gradientScale·(softmax(l) − onehot(y)) `[N, K]`.
    public static func softmaxCrossEntropy(logits: Tensor, labels: [Int], gradientScale: Float? = nil) -> (perRow: [Float], gradient: Tensor?) {
        let n = logits.rows, k = logits.columns
        precondition(labels.count == n && labels.allSatisfy { $0 >= 0 && $0 < k }, "labels must be in 0..<\(k), one per row")
        var perRow = [Float](repeating: 0, count: n)
        var gradient = gradientScale.map { _ in Tensor(shape: [n, k]) }
        for row in 0..<n {
            var top = -Float.infinity
            for j in 0..<k { top = max(top, logits[row * k + j]) }
            var total: Float = 0
            for j in 0..<k { total += Foundation.exp(logits[row * k + j] - top) }
            let logSum = top + Foundation.log(total)
            perRow[row] = logSum - logits[row * k + labels[row]]
            if let scale = gradientScale {
                for j in 0..<k {
                    let p = Foundation.exp(logits[row * k + j] - logSum)
                    gradient?[row * k + j] = scale * (p - (j == labels[row] ? 1 : 0))
                }
            }
        }
        return (perRow, gradient)
    }
}
