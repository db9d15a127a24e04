import Engine
import Foundation

/// Gradient-boosted classification trees (Friedman 2001, "Greedy Function Approximation: A
/// Gradient Boosting Machine", Algorithm 6 for K classes) as scikit-learn's
/// `GradientBoostingClassifier()` fits them with its defaults — the predictor behind
/// disentanglement_lib's DCI (`dci.py`):
///
/// - the raw scores F (`[N, K]`; one column with two classes) start at the class priors:
///   log p_k (log(p₁/(1 − p₁)) with two classes);
/// - each of `stages` (100) stages computes p = softmax(F) (the logistic σ(F) with two classes) and
///   the residual r_ik = y_ik − p_ik once, then fits one `RegressionTree` of depth `depth` (3) per
///   class to r_·k (one tree with two classes), replaces each leaf R's value by one Newton step
///       γ_R = (K − 1)/K · Σ_{i∈R} r_ik / Σ_{i∈R} p_ik (1 − p_ik)   (no (K − 1)/K with two classes;
///                                                                   0 when the denominator < 1e-150)
///   and adds `learningRate` (0.1) · γ to F of the leaf's points;
/// - the prediction is argmax_k F_k (F > 0 with two classes);
/// - the importance of latent j is Σ over every tree of its impurity decrease on j (n·MSE before
///   minus after the split, over n points), normalised to sum 1 over j (scikit-learn's
///   `feature_importances_`: the mean over trees with a split of each tree's unnormalised
///   decreases, then normalised; the mean's 1/trees cancels). All zero when no tree splits.
///
/// Classes are the distinct training labels (scikit-learn's `LabelEncoder`); one class only
/// predicts it everywhere (scikit-learn refuses to fit).
///
/// Written here, not taken from XGBoost's C API (libxgboost-dev): XGBoost grows its trees on the
/// second-order gain with λ = 1 leaf regularisation and min_child_weight = 1 and starts from a 0.5
/// base score, so its splits, leaves and "gain" importances are a different estimator from the one
/// disentanglement_lib's published DCI numbers come from; matching scikit-learn is the point.
public struct GradientBoostedClassifier: Sendable {
    /// The distinct training labels, ascending; predictions are among them.
    public let classes: [Int]
    /// Impurity-based importance of each latent, summing to 1 (or all 0).
    public let importances: [Double]
    let latent: Int
    let initial: [Double]
    /// stages × trees per stage, each tree with its leaf values (learning rate included).
    private let trees: [[(tree: RegressionTree, leafValues: [Double])]]

    /// `seed` draws among equally good splits (scikit-learn's random latent visiting order).
    public init(x: [Float], latent z: Int, labels: [Int], stages: Int = 100, depth: Int = 3, learningRate: Double = 0.1, seed: UInt64 = 0) {
        self.init(presorted: PresortedCodes(x: x, latent: z), labels: labels, stages: stages, depth: depth, learningRate: learningRate, seed: seed)
    }

    /// Fits on codes already sorted per latent (`DCIScores` sorts once for all factors).
    init(presorted data: PresortedCodes, labels: [Int], stages: Int = 100, depth: Int = 3, learningRate: Double = 0.1, seed: UInt64 = 0) {
        let z = data.latent
        precondition(data.rows == labels.count, "x is [N, latent]")
        latent = z
        classes = Array(Set(labels)).sorted()
        let n = labels.count, k = classes.count
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        let y = labels.map { index[$0] ?? 0 }
        guard k >= 2 else {
            importances = [Double](repeating: 0, count: z)
            initial = []
            trees = []
            return
        }
        var counts = [Double](repeating: 0, count: k)
        for c in y { counts[c] += 1 }
        let priors = counts.map { $0 / Double(n) }
        let columns = k == 2 ? 1 : k
        initial = k == 2 ? [Foundation.log(priors[1] / priors[0])] : priors.map { Foundation.log($0) }
        var raw = [Double](repeating: 0, count: n * columns)
        for i in 0..<n { for c in 0..<columns { raw[i * columns + c] = initial[c] } }
        var decrease = [Double](repeating: 0, count: z)
        var fitted: [[(tree: RegressionTree, leafValues: [Double])]] = []
        var probability = [Double](repeating: 0, count: n * columns)
        var residual = [Double](repeating: 0, count: n * columns)
        var rng = RandomGenerator(seed: seed &+ 0xB0057)
        let factor = columns == 1 ? 1 : Double(k - 1) / Double(k)
        for _ in 0..<stages {
            // p for the whole stage, from F before any of its trees (as scikit-learn computes the gradient once per stage).
            for i in 0..<n {
                if columns == 1 {
                    probability[i] = 1 / (1 + Foundation.exp(-raw[i]))
                } else {
                    let row = i * columns
                    var largest = -Double.infinity
                    for c in 0..<columns { largest = max(largest, raw[row + c]) }
                    var total = 0.0
                    for c in 0..<columns {
                        probability[row + c] = Foundation.exp(raw[row + c] - largest)
                        total += probability[row + c]
                    }
                    for c in 0..<columns { probability[row + c] /= total }
                }
            }
            for i in 0..<n {
                for c in 0..<columns {
                    let positive = columns == 1 ? 1 : c
                    residual[i * columns + c] = (y[i] == positive ? 1 : 0) - probability[i * columns + c]
                }
            }
            // The stage's trees (one per class) grown together over the same sorted points.
            let (grown, leaves) = RegressionTree.fitStage(data: data, targets: residual, trees: columns, maximumDepth: depth, rng: &rng,
                                                          decrease: &decrease)
            var stage: [(tree: RegressionTree, leafValues: [Double])] = []
            for (c, tree) in grown.enumerated() {
                var numerator = [Double](repeating: 0, count: tree.nodes.count), denominator = numerator
                for i in 0..<n {
                    let leaf = Int(leaves[i * columns + c]), p = probability[i * columns + c]
                    numerator[leaf] += residual[i * columns + c]
                    denominator[leaf] += p * (1 - p)
                }
                let values = zip(numerator, denominator).map { abs($1) < 1e-150 ? 0 : learningRate * factor * $0 / $1 }
                for i in 0..<n { raw[i * columns + c] += values[Int(leaves[i * columns + c])] }
                stage.append((tree, values))
            }
            fitted.append(stage)
        }
        trees = fitted
        let total = decrease.reduce(0, +)
        importances = total > 0 ? decrease.map { $0 / total } : [Double](repeating: 0, count: z)
    }

    /// The predicted class of each row of `x` (`[N, latent]`), rows in chunks of 512 on all cores.
    public func predict(_ x: [Float]) -> [Int] {
        let n = x.count / max(latent, 1)
        guard classes.count >= 2 else { return [Int](repeating: classes.first ?? 0, count: n) }
        let columns = initial.count
        var out = [Int](repeating: 0, count: n)
        let chunk = 512
        out.withUnsafeMutableBufferPointer { buffer in
            let result = SendablePointer(buffer.baseAddress)
            DispatchQueue.concurrentPerform(iterations: (n + chunk - 1) / chunk) { part in
                for i in (part * chunk)..<min(n, (part + 1) * chunk) {
                    var raw = initial
                    for stage in trees {
                        for (c, fitted) in stage.enumerated() { raw[c] += fitted.leafValues[fitted.tree.leaf(x, offset: i * latent)] }
                    }
                    if columns == 1 {
                        result[i] = raw[0] > 0 ? classes[1] : classes[0]
                    } else {
                        var best = 0
                        for c in 1..<columns where raw[c] > raw[best] { best = c }
                        result[i] = classes[best]
                    }
                }
            }
        }
        return out
    }

    /// The share of rows of `x` whose predicted class is the label.
    public func accuracy(_ x: [Float], _ labels: [Int]) -> Double {
        guard !labels.isEmpty else { return 0 }
        return Double(zip(predict(x), labels).filter { $0 == $1 }.count) / Double(labels.count)
    }
}
