import Engine
import Foundation

/// β-TCVAE's minibatch estimate of the KL's three parts (Chen et al. 2018, eq. 2 and §3), with its
/// analytic gradient. All sums run in Double.
///
/// Shapes: μ, log σ², the sampled codes z `[M, D]` (M images in the batch, D latent dimensions).
/// With Lᵢⱼₐ = log N(zᵢₐ; μⱼₐ, σ²ⱼₐ) = −½[(zᵢₐ − μⱼₐ)²/σ²ⱼₐ + log σ²ⱼₐ + log 2π] and log weights wᵢⱼ:
///
///     log q(zᵢ|xᵢ) = Σₐ Lᵢᵢₐ                          Aᵢ
///     log q(zᵢ)    ≈ logsumexpⱼ (wᵢⱼ + Σₐ Lᵢⱼₐ)      Bᵢ
///     log Πₐ q(zᵢₐ) ≈ Σₐ logsumexpⱼ (wᵢⱼ + Lᵢⱼₐ)      Cᵢ
///     log p(zᵢ)    = Σₐ −½(zᵢₐ² + log 2π)            Pᵢ
///     MI = mean(A − B),  TC = mean(B − C),  dimension-wise KL = mean(C − P)
///
/// Minibatch-weighted sampling has wᵢⱼ = −log(N·M) for every j, N the training set's size; stratified
/// sampling the weights of `TCSampling.stratified`. The three terms telescope: their sum is
/// mean(A − P), the one-sample estimate of the batch's KL(q(z|x) ‖ p(z)), whatever the weights.
///
/// Backward of T = α·MI + β·TC + γ·DW, with rᵢⱼ = softmaxⱼ(wᵢⱼ + Σₐ Lᵢⱼₐ), sᵢⱼₐ = softmaxⱼ(wᵢⱼ + Lᵢⱼₐ)
/// and cᵢⱼₐ = (α·[i = j] + (β − α)·rᵢⱼ + (γ − β)·sᵢⱼₐ)/M:
///
///     ∂T/∂zᵢₐ = −Σⱼ cᵢⱼₐ (zᵢₐ − μⱼₐ)/σ²ⱼₐ + γ·zᵢₐ/M
///     ∂T/∂μⱼₐ = Σᵢ cᵢⱼₐ (zᵢₐ − μⱼₐ)/σ²ⱼₐ
///     ∂T/∂log σ²ⱼₐ = Σᵢ cᵢⱼₐ ½[(zᵢₐ − μⱼₐ)²/σ²ⱼₐ − 1]
///
/// Memory stays O(M·D): each row i recomputes its Lᵢ·· (the M × M × D array is never stored).
public struct TotalCorrelationEstimator: Sendable {
    /// N, the number of training images (the dataset the aggregate posterior is over).
    public let datasetSize: Int
    public let sampling: TCSampling

    public init(datasetSize: Int, sampling: TCSampling) {
        precondition(datasetSize >= 1, "β-TCVAE needs the dataset size")
        self.datasetSize = datasetSize
        self.sampling = sampling
    }

    /// The batch's estimates and the per-image log densities they come from (`[M]` each).
    public struct Estimate: Sendable {
        public var mutualInformation: Double, totalCorrelation: Double, dimensionWiseKL: Double
        public var logPosterior: [Double], logAggregate: [Double], logMarginalProduct: [Double], logPrior: [Double]
        let mean: Tensor, logVariance: Tensor, code: Tensor
        /// MI + TC + dimension-wise KL = mean(log q(z|x) − log p(z)).
        public var sum: Double { mutualInformation + totalCorrelation + dimensionWiseKL }
    }

    static let logTwoPi = Foundation.log(2 * Double.pi)

    /// wᵢⱼ for image i and batch member j of a batch of m: log 1/(N·M) for weighted sampling; for stratified, log 1/N on the diagonal, log (N − M + 1)/(N·(M − 1))
    /// at j = i + 1 (mod M), log 1/(M − 1) elsewhere (Chen et al. 2018, Appendix C.2 — the reference code
    /// strides the flattened matrix by M instead of M + 1, rtqichen/beta-tcvae#1, so its weights fall on
    /// column 0, not on the diagonal; these are the paper's).
    public func logWeight(_ i: Int, _ j: Int, batch m: Int) -> Double {
        let n = Double(datasetSize), mm = Double(m)
        switch sampling {
        case .weighted: return -Foundation.log(n * mm)
        case .stratified:
            if m == 1 { return -Foundation.log(n) }
            if i == j { return -Foundation.log(n) }
            if j == (i + 1) % m { return Foundation.log((n - mm + 1) / (n * (mm - 1))) }
            return -Foundation.log(mm - 1)
        }
    }

    /// A batch in Double: μ, log σ², z and 1/σ², each `[M·D]`.
    private struct Batch {
        let mu: [Double], lv: [Double], z: [Double], precision: [Double]
        let m: Int, d: Int

        init(mean: Tensor, logVariance: Tensor, code: Tensor) {
            precondition(mean.shape == logVariance.shape && mean.shape == code.shape, "β-TCVAE: shapes differ")
            mu = mean.scalars.map(Double.init)
            lv = logVariance.scalars.map(Double.init)
            z = code.scalars.map(Double.init)
            precision = lv.map { Foundation.exp(-$0) }
            m = mean.rows
            d = mean.columns
        }
    }

    /// What row i needs: Lᵢⱼₐ `[M·D]`, wᵢⱼ `[M]`, wᵢⱼ + Σₐ Lᵢⱼₐ `[M]` and logsumexpⱼ(wᵢⱼ + Lᵢⱼₐ) `[D]`.
    private struct Row {
        var logDensity: [Double], weight: [Double], joint: [Double], dimensionLSE: [Double]
    }

    private func row(_ i: Int, of batch: Batch) -> Row {
        let (m, d) = (batch.m, batch.d)
        var logDensity = [Double](repeating: 0, count: m * d)
        for j in 0..<m {
            for a in 0..<d {
                let diff = batch.z[i * d + a] - batch.mu[j * d + a]
                logDensity[j * d + a] = -0.5 * (diff * diff * batch.precision[j * d + a] + batch.lv[j * d + a] + Self.logTwoPi)
            }
        }
        let weight = (0..<m).map { logWeight(i, $0, batch: m) }
        var joint = weight, column = weight
        for j in 0..<m { for a in 0..<d { joint[j] += logDensity[j * d + a] } }
        let dimensionLSE = (0..<d).map { a in
            for j in 0..<m { column[j] = weight[j] + logDensity[j * d + a] }
            return Self.logSumExp(column)
        }
        return Row(logDensity: logDensity, weight: weight, joint: joint, dimensionLSE: dimensionLSE)
    }

    /// The estimates for a batch with codes `code` sampled from q(z|x) = N(`mean`, diag e^`logVariance`).
    public func forward(mean: Tensor, logVariance: Tensor, code: Tensor) -> Estimate {
        let batch = Batch(mean: mean, logVariance: logVariance, code: code)
        let (m, d) = (batch.m, batch.d)
        var a = [Double](repeating: 0, count: m), b = a, c = a, p = a
        var mi = 0.0, tc = 0.0, dw = 0.0
        for i in 0..<m {
            let r = row(i, of: batch)
            b[i] = Self.logSumExp(r.joint)
            c[i] = r.dimensionLSE.reduce(0, +)
            for k in 0..<d {
                a[i] += r.logDensity[i * d + k]
                p[i] += -0.5 * (batch.z[i * d + k] * batch.z[i * d + k] + Self.logTwoPi)
            }
            mi += a[i] - b[i]
            tc += b[i] - c[i]
            dw += c[i] - p[i]
        }
        let count = Double(Swift.max(m, 1))
        return Estimate(mutualInformation: mi / count, totalCorrelation: tc / count, dimensionWiseKL: dw / count,
                        logPosterior: a, logAggregate: b, logMarginalProduct: c, logPrior: p, mean: mean, logVariance: logVariance, code: code)
    }

    /// ∂(α·MI + β·TC + γ·DW)/∂μ, ∂log σ², ∂z, each `[M, D]`.
    public func backward(_ e: Estimate, alpha: Double, tcWeight beta: Double, dimensionWeight gamma: Double)
        -> (mean: Tensor, logVariance: Tensor, code: Tensor) {
        let batch = Batch(mean: e.mean, logVariance: e.logVariance, code: e.code)
        let (m, d) = (batch.m, batch.d)
        var dMu = [Double](repeating: 0, count: m * d), dLv = dMu, dZ = dMu
        let scale = 1 / Double(m)
        for i in 0..<m {
            let row = row(i, of: batch)
            // rᵢⱼ = exp(wᵢⱼ + Σₐ Lᵢⱼₐ − Bᵢ); sᵢⱼₐ = exp(wᵢⱼ + Lᵢⱼₐ − logsumexpⱼ(wᵢⱼ + Lᵢⱼₐ)).
            for j in 0..<m {
                let r = Foundation.exp(row.joint[j] - e.logAggregate[i])
                for k in 0..<d {
                    let s = Foundation.exp(row.weight[j] + row.logDensity[j * d + k] - row.dimensionLSE[k])
                    let coefficient = scale * ((i == j ? alpha : 0) + (beta - alpha) * r + (gamma - beta) * s)
                    let diff = batch.z[i * d + k] - batch.mu[j * d + k], scaled = diff * batch.precision[j * d + k]
                    dZ[i * d + k] -= coefficient * scaled
                    dMu[j * d + k] += coefficient * scaled
                    dLv[j * d + k] += coefficient * 0.5 * (diff * scaled - 1)
                }
            }
            for k in 0..<d { dZ[i * d + k] += gamma * scale * batch.z[i * d + k] }
        }
        func tensor(_ x: [Double]) -> Tensor { Tensor(shape: e.mean.shape, scalars: x.map(Float.init)) }
        return (tensor(dMu), tensor(dLv), tensor(dZ))
    }

    /// log Σ eˣ, stable (the maximum is taken out first).
    static func logSumExp(_ x: [Double]) -> Double {
        guard let top = x.max(), top.isFinite else { return x.max() ?? -.infinity }
        return top + Foundation.log(x.reduce(0) { $0 + Foundation.exp($1 - top) })
    }
}
