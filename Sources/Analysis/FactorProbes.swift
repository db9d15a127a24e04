import Engine
import Foundation

/// One `LogisticRegression` (scikit-learn's `LogisticRegression()`: L2, C = `c`, multinomial,
/// fitted to its optimum) per factor on the standardised training codes: the fit behind InfoE
/// (`InfoMECScores`, its training log loss) and disentanglement_lib's explicitness
/// (`ExplicitnessScore`, the ROC AUC of its probabilities), made once for both.
///
/// Standardisation is disentanglement_lib's `utils.normalize_data` and scikit-learn's
/// `StandardScaler`: each latent minus its training mean, over its training standard deviation
/// (population, ddof 0); test codes with the training mean and deviation. A constant latent
/// becomes 0 (disentanglement_lib would divide by zero and scikit-learn refuse the NaNs).
struct FactorProbes {
    let latent: Int
    let mean: [Double]
    let sd: [Double]
    /// The standardised training codes `[N, Z]`.
    let train: Tensor
    /// One model per factor; nil for a factor with a single training class.
    let models: [LogisticRegression?]

    init(train codes: [Float], latent z: Int, factors: [[Int]], c: Double = InfoMECScores.defaultC) {
        latent = z
        let n = factors.first?.count ?? (z > 0 ? codes.count / z : 0)
        var mean = [Double](repeating: 0, count: z), square = [Double](repeating: 0, count: z)
        for row in 0..<n {
            for j in 0..<z {
                let v = Double(codes[row * z + j])
                mean[j] += v
                square[j] += v * v
            }
        }
        for j in 0..<z { mean[j] /= Double(max(n, 1)) }
        self.mean = mean
        sd = (0..<z).map { j in max(square[j] / Double(max(n, 1)) - mean[j] * mean[j], 0).squareRoot() }
        let standardised = Self.standardise(codes, latent: z, mean: mean, sd: sd)
        train = standardised
        models = factors.map { labels in Set(labels).count >= 2 ? LogisticRegression(features: standardised, labels: labels, c: c) : nil }
    }

    /// `codes` `[N, Z]` standardised with the training mean and deviation.
    func standardise(_ codes: [Float]) -> Tensor { Self.standardise(codes, latent: latent, mean: mean, sd: sd) }

    static func standardise(_ codes: [Float], latent z: Int, mean: [Double], sd: [Double]) -> Tensor {
        let n = z > 0 ? codes.count / z : 0
        var out = [Float](repeating: 0, count: n * z)
        for row in 0..<n {
            for j in 0..<z where sd[j] > 1e-12 { out[row * z + j] = Float((Double(codes[row * z + j]) - mean[j]) / sd[j]) }
        }
        return Tensor(shape: [n, z], scalars: out)
    }
}

/// Explicitness (Ridgeway & Mozer 2018, "Learning Deep Disentangled Embeddings With the F-Statistic
/// Loss", §3), as google-research/disentanglement_lib's `modularity_explicitness.py`
/// (`explicitness_per_factor`) computes it: for each factor, a `LogisticRegression()` from the
/// standardised codes to the factor's classes (`FactorProbes`); its explicitness is the ROC AUC of
/// each class's predicted probability against "is this class" (one-vs-rest), averaged over the
/// classes (scikit-learn's `roc_auc_score` on `MultiLabelBinarizer` labels, macro average):
///
///     explicitness_f = (1/K_f) Σ_k AUC(p_k(z), 1[f = k]),    explicitness = (1/F) Σ_f explicitness_f
///
/// on the training points (`explicitness_score_train`) and on the test points
/// (`explicitness_score_test`, the `explicitness` key). 1 when a linear model separates every
/// class from the rest; 0.5 at chance. AUC counts tied probabilities as half (the trapezoidal ROC
/// area scikit-learn computes). A class absent from a split, or making up all of it, has no AUC
/// there and is left out of that split's average (scikit-learn refuses such labels).
///
/// Classifier: scikit-learn's current `LogisticRegression()` defaults (multinomial); the
/// scikit-learn of disentanglement_lib's time (< 0.22) defaulted to liblinear one-vs-rest with a
/// penalised intercept, so published explicitness numbers may differ slightly from both.
public enum ExplicitnessScore {
    public struct Result: Equatable, Sendable {
        public var train: Double
        public var test: Double
        /// (train, test) per factor.
        public var perFactorTrain: [Double]
        public var perFactorTest: [Double]
    }

    /// Explicitness of codes `train`/`test` (`[N, Z]` row-major) with factor classes `trainFactors[f][n]`.
    public static func score(train: [Float], trainFactors: [[Int]], test: [Float], testFactors: [[Int]], latent z: Int) -> Result {
        score(probes: FactorProbes(train: train, latent: z, factors: trainFactors), trainFactors: trainFactors, test: test,
              testFactors: testFactors)
    }

    static func score(probes: FactorProbes, trainFactors: [[Int]], test: [Float], testFactors: [[Int]]) -> Result {
        let testCodes = probes.standardise(test)
        var trainScores: [Double] = [], testScores: [Double] = []
        for (f, model) in probes.models.enumerated() {
            guard let model else { continue }
            trainScores.append(meanAUC(model: model, features: probes.train, labels: trainFactors[f]))
            testScores.append(meanAUC(model: model, features: testCodes, labels: testFactors[f]))
        }
        func mean(_ a: [Double]) -> Double { a.isEmpty ? 0 : a.reduce(0, +) / Double(a.count) }
        return Result(train: mean(trainScores), test: mean(testScores), perFactorTrain: trainScores, perFactorTest: testScores)
    }

    /// The mean over the model's classes of the one-vs-rest ROC AUC of its probabilities on `features`.
    static func meanAUC(model: LogisticRegression, features: Tensor, labels: [Int]) -> Double {
        let k = model.classes.count, probabilities = model.probabilities(features)
        var aucs: [Double] = []
        for (c, label) in model.classes.enumerated() {
            let positives = labels.map { $0 == label }
            if let auc = rocAUC(scores: (0..<labels.count).map { probabilities[$0 * k + c] }, positives: positives) { aucs.append(auc) }
        }
        return aucs.isEmpty ? 0 : aucs.reduce(0, +) / Double(aucs.count)
    }

    /// The area under the ROC curve of `scores` for the `positives` (the Mann–Whitney statistic,
    /// ties counted ½, equal to scikit-learn's trapezoidal `roc_auc_score`); nil without both
    /// positives and negatives.
    public static func rocAUC(scores: [Double], positives: [Bool]) -> Double? {
        let p = positives.filter { $0 }.count, n = positives.count - p
        guard p > 0, n > 0 else { return nil }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSum = 0.0, start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count, scores[order[end + 1]] == scores[order[start]] { end += 1 }
            let rank = Double(start + end) / 2 + 1   // the tied group's mean rank (1-based)
            for i in start...end where positives[order[i]] { rankSum += rank }
            start = end + 1
        }
        return (rankSum - Double(p) * Double(p + 1) / 2) / (Double(p) * Double(n))
    }
}
