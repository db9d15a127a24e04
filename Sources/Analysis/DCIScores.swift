import Engine
import Foundation

/// Disentanglement, completeness and informativeness (Eastwood & Williams 2018, "A Framework for
/// the Quantitative Evaluation of Disentangled Representations"), with the formulas of
/// google-research/disentanglement_lib's `dci.py`.
///
/// One classifier per factor f predicts f from the whole code; R_jf ≥ 0 is the importance of
/// latent j to it (normalised to sum 1 over j). The classifier is chosen by `Estimator`: by default
/// disentanglement_lib's, scikit-learn's `GradientBoostingClassifier()` (100 depth-3 trees per
/// class, `GradientBoostedClassifier`), whose R is its impurity-based `feature_importances_`; or one
/// CART decision tree per factor (`ClassificationTree`, this project's earlier estimator, kept as
/// `--dci-estimator tree`). Eastwood & Williams used random forests and the lasso. A tree on the
/// identity code splits only on each factor's own latent, so R is a permutation matrix and all
/// three scores are 1.
public enum DCIScores {
    /// The classifier behind the importances and the informativeness.
    public enum Estimator: String, Codable, Sendable, CaseIterable {
        /// scikit-learn's `GradientBoostingClassifier()` defaults, as disentanglement_lib fits them.
        case boosted
        /// One CART tree per factor with `treeLimits` (faster; scores differ from the literature's).
        case tree

        /// How the estimator is described in `score`'s output, evaluation.json and the report.
        public var summary: String {
            switch self {
            case .boosted:
                return "gradient-boosted trees per factor as scikit-learn's GradientBoostingClassifier() (100 stages of one depth-3 "
                    + "least-squares tree per class, learning rate 0.1, multinomial log-loss, Newton leaf steps, prior start); "
                    + "importance = impurity decrease summed over the trees, normalised"
            case .tree:
                return "one CART decision tree per factor (Gini; depth ≤ max(8, log2 K + 2), leaves ≥ 1% of the points); importance = impurity decrease"
            }
        }
    }

    public struct Result: Codable, Equatable, Sendable {
        public var disentanglement: Double
        public var completeness: Double
        /// Mean test accuracy of the per-factor classifiers.
        public var informativeness: Double
        /// Mean training accuracy of the per-factor classifiers.
        public var informativenessTrain: Double
        /// R_jf, `[Z][F]`.
        public var importance: [[Double]]
    }

    /// How deep a factor's tree may grow and how few training points a leaf may hold: depth
    /// max(8, ⌈log₂ K⌉ + 2) for K classes, leaves of at least min(1% of the points, half the rarest
    /// class) points (at least 1). A fully grown tree also splits on noise, which spreads importance
    /// over every latent; with these limits the scores track disentanglement_lib's boosted trees
    /// (scikit-learn 1.9.1, a noisy mixed code of 4 factors, 2,000 rows to fit: D 0.51 vs 0.48,
    /// C 0.57 vs 0.50, I 0.67 vs 0.68; equal to ±0.02 on identity, rotated and random codes).
    public static func treeLimits(labels: [Int]) -> (depth: Int, leaf: Int) {
        var counts: [Int: Int] = [:]
        for label in labels { counts[label, default: 0] += 1 }
        let classes = max(counts.count, 1)
        var bits = 0
        while (1 << bits) < classes { bits += 1 }
        let rarest = counts.values.min() ?? 1
        return (max(8, bits + 2), max(1, min(labels.count / 100, rarest / 2)))
    }

    /// Fits one classifier per factor on the training points and scores it on the test points:
    /// D and C from the importances, informativeness = mean test accuracy (disentanglement_lib's
    /// `informativeness_test`). `train`/`test` are `[N, Z]` row-major codes; `trainFactors[f][n]`
    /// the classes of factor f.
    public static func score(train: [Float], trainFactors: [[Int]], test: [Float], testFactors: [[Int]], latent z: Int,
                             estimator: Estimator = .boosted) -> Result {
        var importance = [[Double]](repeating: [Double](repeating: 0, count: trainFactors.count), count: z)
        let results = ConcurrentSlots<(weights: [Double], train: Double, test: Double)>(count: trainFactors.count)
        switch estimator {
        case .boosted:
            // One sort per latent for every factor; the factors one after another, each tree level's
            // latents scanned by all cores (RegressionTree.fitStage): fitting the factors side by side
            // left one core idle for most of the run when one factor had most of the classes (dSprites'
            // orientation: 40 of 113), and held one sorted copy of the code per factor.
            let presorted = PresortedCodes(x: train, latent: z)
            for f in trainFactors.indices {
                let model = GradientBoostedClassifier(presorted: presorted, labels: trainFactors[f])
                results.set(f, (model.importances, model.accuracy(train, trainFactors[f]), model.accuracy(test, testFactors[f])))
            }
        case .tree:
            // The factors' trees are independent: fitted side by side, unless each tree's per-latent
            // sorted point lists (Z·N Ints, about twice that while a node splits) are large. On a
            // 100,000 × 4,096 code (10,000 fit rows) two trees at once took `score` to a 2.37 GB
            // peak; one at a time costs little, since that run used 1.05 cores on average anyway.
            let fit: @Sendable (Int) -> Void = { f in
                let (depth, leaf) = treeLimits(labels: trainFactors[f])
                let tree = ClassificationTree(x: train, latent: z, labels: trainFactors[f], maximumDepth: depth, minimumLeaf: leaf)
                results.set(f, (tree.importances, tree.accuracy(train, trainFactors[f]), tree.accuracy(test, testFactors[f])))
            }
            let treeBytes = z * (train.count / max(z, 1)) * MemoryLayout<Int>.stride * 2
            if treeBytes <= 64 << 20 {
                DispatchQueue.concurrentPerform(iterations: trainFactors.count) { fit($0) }
            } else {
                for f in trainFactors.indices { fit(f) }
            }
        }
        let fits = results.values.map { $0 ?? ([], 0, 0) }
        for (f, fit) in fits.enumerated() { for j in 0..<z { importance[j][f] = fit.weights[j] } }
        let trainAccuracy = fits.map(\.train), testAccuracy = fits.map(\.test)
        func mean(_ a: [Double]) -> Double { a.isEmpty ? 0 : a.reduce(0, +) / Double(a.count) }
        return Result(disentanglement: disentanglement(importance: importance), completeness: completeness(importance: importance),
                      informativeness: mean(testAccuracy), informativenessTrain: mean(trainAccuracy), importance: importance)
    }

    /// Disentanglement D = Σ_j ρ_j (1 − H_F(P_j·)), where P_jf = R_jf / Σ_k R_jk (after adding 1e-11
    /// to every entry, as disentanglement_lib does), H_F the entropy in base F (the number of
    /// factors) and ρ_j = Σ_f R_jf / Σ R the latent's share of all importance (uniform when R = 0).
    /// With one factor every latent is pure and D = 1 unless R = 0.
    public static func disentanglement(importance r: [[Double]]) -> Double {
        let factors = r.first?.count ?? 0
        guard factors > 0 else { return 0 }
        let perCode = r.map { 1 - normalisedEntropy($0, base: factors) }
        return weightedMean(perCode, weights: r.map { $0.reduce(0, +) })
    }

    /// Completeness C = Σ_f ρ_f (1 − H_Z(P̃_·f)), where P̃_jf = R_jf / Σ_i R_if (after adding 1e-11),
    /// H_Z the entropy in base Z (the number of latents) and ρ_f = Σ_j R_jf / Σ R (uniform when R = 0).
    public static func completeness(importance r: [[Double]]) -> Double {
        let factors = r.first?.count ?? 0
        guard factors > 0, !r.isEmpty else { return 0 }
        let columns = (0..<factors).map { f in r.map { $0[f] } }
        let perFactor = columns.map { 1 - normalisedEntropy($0, base: r.count) }
        return weightedMean(perFactor, weights: columns.map { $0.reduce(0, +) })
    }

    /// H(p)/log(base) of `values + 1e-11` normalised to sum 1 (scipy's `entropy(values + 1e-11, base=base)`);
    /// 0 for base 1.
    static func normalisedEntropy(_ values: [Double], base: Int) -> Double {
        guard base > 1 else { return 0 }
        let shifted = values.map { max($0, 0) + 1e-11 }
        let total = shifted.reduce(0, +)
        let h = -shifted.reduce(0.0) { $0 + ($1 / total) * log($1 / total) }
        return h / log(Double(base))
    }

    /// Σ v_i w_i / Σ w_i, with equal weights when they sum to 0 (an all-zero importance matrix).
    static func weightedMean(_ values: [Double], weights: [Double]) -> Double {
        let total = weights.reduce(0, +)
        guard total > 0 else { return values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }
        return zip(values, weights).reduce(0.0) { $0 + $1.0 * $1.1 } / total
    }
}

/// A CART classification tree (Breiman et al. 1984) with Gini impurity G = 1 − Σ_k p_k²: each node
/// takes the split x_j ≤ t of largest impurity decrease n·G − n_L·G_L − n_R·G_R over every latent j
/// and every threshold t halfway between neighbouring distinct values that leaves at least
/// `minimumLeaf` points on each side, until it is pure, holds fewer than 2·`minimumLeaf` points, reaches the maximum depth or no split lowers the impurity. Equal decreases
/// go to the split with the wider gap between its two values relative to the latent's range (then
/// to the lower latent, so a duplicated latent's copy is never used).
public struct ClassificationTree: Sendable {
    struct Node: Sendable {
        var feature = -1
        var threshold: Float = 0
        var left = -1, right = -1
        var label = 0
    }
    private var nodes: [Node] = []
    let latent: Int
    /// Impurity decrease per latent, normalised to sum 1 (all zero when the tree is a single leaf).
    public private(set) var importances: [Double]

    /// Fits the tree to `x` (`[N, latent]` row-major) and `labels` (classes ≥ 0).
    public init(x: [Float], latent: Int, labels: [Int], maximumDepth: Int = 12, minimumLeaf: Int = 1) {
        self.latent = latent
        importances = [Double](repeating: 0, count: latent)
        let n = labels.count
        let classes = (labels.max() ?? 0) + 1
        guard n > 0 else { nodes = [Node()]; return }
        // Each latent's point order by value, partitioned down the tree so each node sees its points sorted.
        let sorted: [[Int]] = (0..<latent).map { j in (0..<n).sorted { x[$0 * latent + j] < x[$1 * latent + j] } }
        let ranges: [Double] = (0..<latent).map { j in
            guard let low = sorted[j].first, let high = sorted[j].last else { return 1 }
            let range = Double(x[high * latent + j] - x[low * latent + j])
            return range > 0 ? range : 1
        }
        var decrease = [Double](repeating: 0, count: latent)
        var goesLeft = [Bool](repeating: false, count: n)

        func majority(_ points: ArraySlice<Int>) -> (label: Int, counts: [Int]) {
            var counts = [Int](repeating: 0, count: classes)
            for p in points { counts[labels[p]] += 1 }
            let label = counts.indices.max { counts[$0] < counts[$1] || (counts[$0] == counts[$1] && $0 > $1) } ?? 0
            return (label, counts)
        }

        // Iterative growth: (node index, per-latent sorted points, depth).
        var stack: [(Int, [[Int]], Int)] = [(0, sorted, 0)]
        nodes = [Node()]
        while let (index, order, depth) = stack.popLast() {
            let points = order[0][...]
            let count = points.count
            let (label, counts) = majority(points)
            nodes[index].label = label
            let squares = counts.reduce(0.0) { $0 + Double($1) * Double($1) }
            let impurity = Double(count) - squares / Double(count)   // n · G
            guard depth < maximumDepth, count >= 2 * minimumLeaf, impurity > 1e-12 else { continue }
            // Equal gains (within 1e-9, relative) go to the wider gap between the two values, as a
            // share of the latent's range: a property of the data, so permuting the latents changes nothing.
            var best = (gain: 1e-12, gap: -1.0, feature: -1, position: 0)
            var left = [Int](repeating: 0, count: classes)
            for j in 0..<latent {
                let points = order[j]
                for k in 0..<classes { left[k] = 0 }
                var leftSquares = 0.0, rightSquares = squares
                for position in 0..<(count - 1) {
                    let label = labels[points[position]]
                    let l = Double(left[label]), r = Double(counts[label] - left[label])
                    leftSquares += 2 * l + 1
                    rightSquares -= 2 * r - 1
                    left[label] += 1
                    let a = x[points[position] * latent + j], b = x[points[position + 1] * latent + j]
                    guard a < b, position + 1 >= minimumLeaf, count - position - 1 >= minimumLeaf else { continue }
                    let nl = Double(position + 1), nr = Double(count - position - 1)
                    let children = (nl - leftSquares / nl) + (nr - rightSquares / nr)
                    let gain = impurity - children
                    let tolerance = 1e-9 * max(1, best.gain)
                    if gain > best.gain + tolerance {
                        best = (gain, Double(b - a) / ranges[j], j, position)
                    } else if gain >= best.gain - tolerance, best.feature >= 0 {
                        let gap = Double(b - a) / ranges[j]
                        if gap > best.gap { best = (gain, gap, j, position) }
                    }
                }
            }
            guard best.feature >= 0 else { continue }
            let j = best.feature
            let splitPoints = order[j]
            let a = x[splitPoints[best.position] * latent + j], b = x[splitPoints[best.position + 1] * latent + j]
            var threshold = a + (b - a) / 2
            if !(threshold < b) { threshold = a }   // adjacent floats: x ≤ a goes left
            for (position, p) in splitPoints.enumerated() { goesLeft[p] = position <= best.position }
            let leftOrder = order.map { $0.filter { goesLeft[$0] } }
            let rightOrder = order.map { $0.filter { !goesLeft[$0] } }
            decrease[j] += best.gain
            nodes[index].feature = j
            nodes[index].threshold = threshold   // x ≤ threshold goes left
            nodes[index].left = nodes.count
            nodes.append(Node())
            nodes[index].right = nodes.count
            nodes.append(Node())
            stack.append((nodes[index].left, leftOrder, depth + 1))
            stack.append((nodes[index].right, rightOrder, depth + 1))
        }
        let total = decrease.reduce(0, +)
        if total > 0 { importances = decrease.map { $0 / total } }
    }

    /// The class the tree predicts for one code (a slice of `latent` floats).
    public func predict(_ code: ArraySlice<Float>) -> Int {
        var index = 0
        while nodes[index].feature >= 0 {
            let node = nodes[index]
            index = code[code.startIndex + node.feature] <= node.threshold ? node.left : node.right
        }
        return nodes[index].label
    }

    /// The class the tree cut at `depth` predicts (the majority class of the node reached after at
    /// most `depth` splits). Growth is greedy, so this is exactly the tree that growing to `depth`
    /// would have made: DCI-ES's probes of increasing capacity from one fit.
    public func predict(_ code: ArraySlice<Float>, depth: Int) -> Int {
        var index = 0, level = 0
        while nodes[index].feature >= 0, level < depth {
            let node = nodes[index]
            index = code[code.startIndex + node.feature] <= node.threshold ? node.left : node.right
            level += 1
        }
        return nodes[index].label
    }

    /// The share of rows of `x` (`[N, latent]`) whose predicted class is the label.
    public func accuracy(_ x: [Float], _ labels: [Int]) -> Double {
        guard !labels.isEmpty else { return 0 }
        let right = labels.indices.filter { predict(x[($0 * latent)..<(($0 + 1) * latent)]) == labels[$0] }.count
        return Double(right) / Double(labels.count)
    }
}
