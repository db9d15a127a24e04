import Engine
import Foundation

/// Multinomial logistic regression as scikit-learn's `LogisticRegression()` defines it with its
/// defaults (L2 penalty, C = 1, multinomial softmax over the K training classes, an unregularised
/// intercept) — the classifier of disentanglement_lib's BetaVAE score. It minimises over
/// W `[K, D]` and b `[K]`
///
///     f(W, b) = (1/N) Σ_i −log softmax(W x_i + b)_{y_i}  +  ‖W‖² / (2 C N)
///
/// (scikit-learn's C·Σ loss + ½‖W‖², divided by C·N: the same minimiser; with two classes its
/// binomial model, see `init`). f is strictly convex
/// in W and in b up to a shift common to all classes, which changes no prediction, so the
/// predictions at the optimum are unique; scikit-learn reaches it with L-BFGS (tol 1e-4, at most
/// 100 iterations). Here: Newton's method with conjugate-gradient steps on Hessian–vector products
/// (Nocedal & Wright 2006, Algorithm 7.1) and an Armijo backtracking line search, until the
/// gradient's largest entry is below 1e-9 or 100 Newton steps — tighter than scikit-learn, so the
/// two differ only as far as scikit-learn stops short of the optimum.
///
/// Written here because no well-kept C library for it is in Debian (liblinear's multinomial
/// solver is the Crammer–Singer SVM, not this loss); in double precision, D + 1 parameters per class.
public struct LogisticRegression: Sendable {
    /// The distinct training labels, ascending (scikit-learn's `classes_`).
    public let classes: [Int]
    /// W `[K][D]` and b `[K]` at the optimum.
    public private(set) var weights: [[Double]]
    public private(set) var intercepts: [Double]
    /// Newton steps taken and the final gradient's largest entry.
    public private(set) var iterations = 0
    public private(set) var gradientNorm = 0.0

    /// Fits to the rows of `features` (`[N, D]`) and their `labels`; `c` is the inverse regularisation strength.
    public init(features: Tensor, labels: [Int], c: Double = 1) {
        let n = features.rows, d = features.columns
        precondition(labels.count == n, "one label per row")
        classes = Array(Set(labels)).sorted()
        let k = classes.count
        weights = [[Double]](repeating: [Double](repeating: 0, count: d), count: k)
        intercepts = [Double](repeating: 0, count: k)
        guard k >= 2, n > 0 else { return }
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        let y = labels.map { index[$0] ?? 0 }
        let x = features.scalars.map(Double.init)
        let p = d + 1                     // parameters per class: W row, then b
        // With two classes scikit-learn fits the binomial model, one w with ½‖w‖²: the symmetric pair
        // W = (w/2, −w/2) has ‖W‖² = ½‖w‖², so its penalty weight doubles to give the same optimum.
        let lambda = (k == 2 ? 2 : 1) / (c * Double(n))

        // θ is [K, D + 1] row-major.
        /// X·Wᵀ + b `[N, K]` (dgemm: on a 10,000 × 4,096 code with 40 classes these products were
        /// scalar loops of 1.6 billion multiply-adds each, run hundreds of times per fit).
        func logits(_ theta: [Double]) -> [Double] {
            var out = [Double](repeating: 0, count: n * k)
            if d > 0 {
                x.withUnsafeBufferPointer { xs in
                    theta.withUnsafeBufferPointer { ts in
                        out.withUnsafeMutableBufferPointer { os in
                            BLAS.dgemm(.none, .transposed, m: n, n: k, k: d, a: xs.baseAddress!, lda: d, b: ts.baseAddress!, ldb: p,
                                       c: os.baseAddress!, ldc: k)
                        }
                    }
                }
            }
            for i in 0..<n { for c in 0..<k { out[i * k + c] += theta[c * p + d] } }
            return out
        }
        /// [Rᵀ·X, Σ_i r_i] `[K, D + 1]` for residuals R `[N, K]`.
        func accumulate(_ r: [Double]) -> [Double] {
            var g = [Double](repeating: 0, count: k * p)
            if d > 0 {
                x.withUnsafeBufferPointer { xs in
                    r.withUnsafeBufferPointer { rs in
                        g.withUnsafeMutableBufferPointer { gs in
                            BLAS.dgemm(.transposed, .none, m: k, n: d, k: n, a: rs.baseAddress!, lda: k, b: xs.baseAddress!, ldb: d,
                                       c: gs.baseAddress!, ldc: p)
                        }
                    }
                }
            }
            for i in 0..<n { for c in 0..<k { g[c * p + d] += r[i * k + c] } }
            return g
        }
        /// f(θ), the softmax probabilities `[N, K]`.
        func objective(_ theta: [Double]) -> (value: Double, probabilities: [Double]) {
            var z = logits(theta)
            var loss = 0.0
            for i in 0..<n {
                let row = i * k
                var largest = -Double.infinity
                for c in 0..<k { largest = max(largest, z[row + c]) }
                var total = 0.0
                for c in 0..<k { total += Foundation.exp(z[row + c] - largest) }
                let logTotal = Foundation.log(total) + largest
                loss += logTotal - z[row + y[i]]
                for c in 0..<k { z[row + c] = Foundation.exp(z[row + c] - logTotal) }
            }
            var penalty = 0.0
            for c in 0..<k { for j in 0..<d { penalty += theta[c * p + j] * theta[c * p + j] } }
            return (loss / Double(n) + 0.5 * lambda * penalty, z)
        }
        func gradient(_ theta: [Double], _ probabilities: [Double]) -> [Double] {
            var r = [Double](repeating: 0, count: n * k)
            for i in 0..<n { for c in 0..<k { r[i * k + c] = (probabilities[i * k + c] - (y[i] == c ? 1 : 0)) / Double(n) } }
            var g = accumulate(r)
            for c in 0..<k { for j in 0..<d { g[c * p + j] += lambda * theta[c * p + j] } }
            return g
        }
        /// H·v: with s_i = V x_i + v_b, r_ic = p_ic (s_ic − Σ_c' p_ic' s_ic'), H v = (1/N) Σ_i r_i ⊗ [x_i, 1] + λ V.
        func hessianTimes(_ v: [Double], _ probabilities: [Double]) -> [Double] {
            let s = logits(v)
            var r = [Double](repeating: 0, count: n * k)
            for i in 0..<n {
                var mean = 0.0
                for c in 0..<k { mean += probabilities[i * k + c] * s[i * k + c] }
                for c in 0..<k { r[i * k + c] = probabilities[i * k + c] * (s[i * k + c] - mean) / Double(n) }
            }
            var out = accumulate(r)
            for c in 0..<k { for j in 0..<d { out[c * p + j] += lambda * v[c * p + j] } }
            return out
        }
        func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

        var theta = [Double](repeating: 0, count: k * p)
        var (value, probabilities) = objective(theta)
        for step in 0..<100 {
            let g = gradient(theta, probabilities)
            gradientNorm = g.map(abs).max() ?? 0
            iterations = step
            if gradientNorm < 1e-9 { break }
            // Conjugate gradients on H Δ = −g, stopped at a relative residual of min(0.5, √‖g‖) (Nocedal & Wright's forcing sequence).
            var direction = [Double](repeating: 0, count: k * p)
            var residual = g.map { -$0 }, search = residual
            var rr = dot(residual, residual)
            let tolerance = min(0.5, rr.squareRoot().squareRoot()) * rr.squareRoot()
            for _ in 0..<(2 * k * p) {
                let hs = hessianTimes(search, probabilities)
                let curvature = dot(search, hs)
                guard curvature > 1e-300 else { break }
                let alpha = rr / curvature
                for i in direction.indices { direction[i] += alpha * search[i]; residual[i] -= alpha * hs[i] }
                let next = dot(residual, residual)
                if next.squareRoot() <= tolerance { break }
                for i in search.indices { search[i] = residual[i] + next / rr * search[i] }
                rr = next
            }
            if direction.allSatisfy({ $0 == 0 }) { direction = g.map { -$0 } }
            let slope = dot(g, direction)
            var length = 1.0
            var trial = objective(zip(theta, direction).map { $0 + length * $1 })
            while trial.value > value + 1e-4 * length * slope, length > 1e-12 {
                length *= 0.5
                trial = objective(zip(theta, direction).map { $0 + length * $1 })
            }
            guard trial.value <= value else { break }
            theta = zip(theta, direction).map { $0 + length * $1 }
            (value, probabilities) = trial
        }
        for c in 0..<k {
            weights[c] = Array(theta[(c * p)..<(c * p + d)])
            intercepts[c] = theta[c * p + d]
        }
    }

    /// W x_i + b of each row of `features` `[N, D]`, as `[N, K]` (rows converted to double and
    /// multiplied 1,024 at a time, so a 100,000-row code is never copied whole).
    public func decisionValues(_ features: Tensor) -> [Double] {
        let d = features.columns, n = features.rows, k = classes.count
        var out = [Double](repeating: 0, count: n * k)
        guard k > 0, n > 0 else { return out }
        let w = weights.flatMap { $0 }
        let chunk = 1024
        var block = [Double](repeating: 0, count: min(n, chunk) * d)
        for start in stride(from: 0, to: n, by: chunk) {
            let rows = min(chunk, n - start)
            for i in 0..<(rows * d) { block[i] = Double(features.scalars[start * d + i]) }
            if d > 0 {
                block.withUnsafeBufferPointer { bs in
                    w.withUnsafeBufferPointer { ws in
                        out.withUnsafeMutableBufferPointer { os in
                            BLAS.dgemm(.none, .transposed, m: rows, n: k, k: d, a: bs.baseAddress!, lda: d, b: ws.baseAddress!, ldb: d,
                                       c: os.baseAddress! + start * k, ldc: k)
                        }
                    }
                }
            }
        }
        for i in 0..<n { for c in 0..<k { out[i * k + c] += intercepts[c] } }
        return out
    }

    /// The softmax probabilities of each class `[N, K]` (scikit-learn's `predict_proba`; with two
    /// classes the binomial model's σ, which is the softmax of the symmetric pair).
    public func probabilities(_ features: Tensor) -> [Double] {
        let k = classes.count
        var scores = decisionValues(features)
        guard k >= 2 else { return [Double](repeating: 1, count: features.rows * k) }
        for i in 0..<features.rows {
            let row = i * k
            var largest = -Double.infinity
            for c in 0..<k { largest = max(largest, scores[row + c]) }
            var total = 0.0
            for c in 0..<k { scores[row + c] = Foundation.exp(scores[row + c] - largest); total += scores[row + c] }
            for c in 0..<k { scores[row + c] /= total }
        }
        return scores
    }

    /// The predicted class of each row of `features` (the first of equal largest scores, as numpy's argmax).
    public func predict(_ features: Tensor) -> [Int] {
        guard classes.count >= 2 else { return [Int](repeating: classes.first ?? 0, count: features.rows) }
        let k = classes.count, scores = decisionValues(features)
        return (0..<features.rows).map { i in
            var best = 0
            for c in 1..<k where scores[i * k + c] > scores[i * k + best] { best = c }
            return classes[best]
        }
    }

    /// Mean negative log-likelihood (nats) of `labels` under the model's softmax probabilities on
    /// `features` `[N, D]`: scikit-learn's `log_loss(labels, predict_proba(features))` (no penalty
    /// term). A label outside `classes` has probability 0 (infinite loss); one class: loss 0.
    public func logLoss(_ features: Tensor, _ labels: [Int]) -> Double {
        let n = features.rows, k = classes.count
        precondition(labels.count == n, "one label per row")
        guard k >= 2 else { return labels.allSatisfy { $0 == classes.first } ? 0 : .infinity }
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        let scores = decisionValues(features)
        var total = 0.0
        for i in 0..<n {
            guard let y = index[labels[i]] else { return .infinity }
            var largest = -Double.infinity
            for c in 0..<k { largest = max(largest, scores[i * k + c]) }
            var sum = 0.0
            for c in 0..<k { sum += Foundation.exp(scores[i * k + c] - largest) }
            total += Foundation.log(sum) + largest - scores[i * k + y]
        }
        return total / Double(max(n, 1))
    }

    public func accuracy(_ features: Tensor, _ labels: [Int]) -> Double {
        Double(zip(predict(features), labels).filter { $0 == $1 }.count) / Double(max(labels.count, 1))
    }
}
