import Engine
import Foundation

/// A least-squares regression tree grown as scikit-learn's
/// `DecisionTreeRegressor(criterion="squared_error", max_depth=d)` grows it (Breiman et al. 1984):
/// each node takes the split x_j ≤ t that maximises the proxy S_L²/n_L + S_R²/n_R (S the sum of
/// the targets on a side; equivalently the largest decrease of n·MSE), over every latent j and
/// every threshold t halfway between neighbouring values more than 1e-7 apart (scikit-learn's
/// `FEATURE_THRESHOLD`; the midpoint is computed in double from float32 inputs, and is the lower
/// value when it rounds onto the upper). A node is a leaf at the maximum depth, with fewer than 2
/// points, with an impurity ≤ machine ε, or when no split exists.
///
/// Written here rather than taken from a library: the gradient-boosted DCI must reproduce
/// scikit-learn's importances (XGBoost grows trees on a regularised second-order gain, so its
/// splits and importances are a different estimator; see `GradientBoostedClassifier`).
/// Ties are common: a boosting stage's residuals take few distinct values, so different splits
/// often have the same proxy. scikit-learn visits the latents of each node in a random order and
/// keeps the first best split (the first position within a latent); so does this tree, with the
/// order drawn from `rng` and proxies within 1e-12 (relative) of each other counted as equal (their
/// difference is summation rounding). Breaking ties towards the lowest latent instead would hand
/// every tie to the same latent and shift DCI by about 0.005 from scikit-learn's.
///
/// Growth is level by level: each level is one pass per latent over the presorted points, every
/// node of the level accumulating its own running sums, so a depth-d tree costs d·Z·N steps.
struct RegressionTree: Sendable {
    struct Node: Sendable {
        var feature = -1
        var threshold = 0.0
        var left = -1, right = -1
    }
    private(set) var nodes: [Node] = [Node()]
    /// The leaf (node index) each training point ended in.
    private(set) var leafOfPoint: [Int]
    /// Σ over the splits on latent j of n·MSE(node) − n_L·MSE(left) − n_R·MSE(right), divided by
    /// the number of points (scikit-learn's `compute_feature_importances(normalize=False)`).
    private(set) var decrease: [Double]

    /// Fits the tree. `x` is `[N, latent]` row-major; `sortedByLatent[j]` lists the points in
    /// increasing order of latent j (computed once by the caller for all its trees); `target` the
    /// N regression targets.
    init(x: [Float], latent z: Int, sortedByLatent: [[Int32]], target: [Double], maximumDepth: Int, rng: inout RandomGenerator) {
        let n = target.count
        leafOfPoint = [Int](repeating: 0, count: n)
        decrease = [Double](repeating: 0, count: z)
        guard n > 0 else { return }
        var level = [0]
        for _ in 0..<maximumDepth {
            // Totals of this level's nodes.
            var count = [Int](repeating: 0, count: nodes.count), sum = [Double](repeating: 0, count: nodes.count)
            var squares = [Double](repeating: 0, count: nodes.count)
            for i in 0..<n {
                let node = leafOfPoint[i]
                count[node] += 1
                sum[node] += target[i]
                squares[node] += target[i] * target[i]
            }
            // Nodes that may split: at least 2 points and impurity above machine ε.
            var slot = [Int](repeating: -1, count: nodes.count)
            var open: [Int] = []
            for node in level {
                let m = Double(count[node])
                guard m >= 2 else { continue }
                let impurity = squares[node] / m - (sum[node] / m) * (sum[node] / m)
                guard impurity > Double.ulpOfOne else { continue }
                slot[node] = open.count
                open.append(node)
            }
            guard !open.isEmpty else { break }
            let slots = open.count
            var bestProxy = [Double](repeating: -.infinity, count: slots)
            var bestFeature = [Int](repeating: -1, count: slots)
            var bestThreshold = [Double](repeating: 0, count: slots)
            let totals = open.map { sum[$0] }, counts = open.map { count[$0] }
            // Each node's latent visiting order: rank[s][j] is latent j's place in it.
            let rank: [[Int]] = open.map { _ in
                var place = [Int](repeating: 0, count: z)
                for (position, j) in rng.permutation(z).enumerated() { place[j] = position }
                return place
            }
            var leftSum = [Double](repeating: 0, count: slots), leftCount = [Int](repeating: 0, count: slots)
            var lastValue = [Float](repeating: 0, count: slots)
            for j in 0..<z {
                for s in 0..<slots { leftSum[s] = 0; leftCount[s] = 0 }
                for p32 in sortedByLatent[j] {
                    let p = Int(p32)
                    let s = slot[leafOfPoint[p]]
                    guard s >= 0 else { continue }
                    let value = x[p * z + j]
                    let nl = leftCount[s]
                    // A candidate split just before this point, between it and the node's previous one.
                    if nl > 0, value > lastValue[s] + 1e-7 {
                        let nr = counts[s] - nl
                        let sl = leftSum[s], sr = totals[s] - sl
                        let proxy = sl * sl / Double(nl) + sr * sr / Double(nr)
                        let best = bestProxy[s], tolerance = best.isFinite ? 1e-12 * abs(best) : 0
                        if proxy > best + tolerance || (bestFeature[s] >= 0 && proxy >= best - tolerance && rank[s][j] < rank[s][bestFeature[s]]) {
                            bestProxy[s] = proxy
                            bestFeature[s] = j
                            var threshold = Double(lastValue[s]) / 2 + Double(value) / 2
                            if threshold == Double(value) || !threshold.isFinite { threshold = Double(lastValue[s]) }
                            bestThreshold[s] = threshold
                        }
                    }
                    leftSum[s] += target[p]
                    leftCount[s] = nl + 1
                    lastValue[s] = value
                }
            }
            // Split the open nodes that found a split, then send their points down.
            var next: [Int] = []
            var children = [(left: Int, right: Int)](repeating: (-1, -1), count: slots)
            for (s, node) in open.enumerated() where bestFeature[s] >= 0 {
                nodes[node].feature = bestFeature[s]
                nodes[node].threshold = bestThreshold[s]
                nodes[node].left = nodes.count
                nodes.append(Node())
                nodes[node].right = nodes.count
                nodes.append(Node())
                children[s] = (nodes[node].left, nodes[node].right)
                next += [nodes[node].left, nodes[node].right]
            }
            guard !next.isEmpty else { break }
            var childCount = [Int](repeating: 0, count: nodes.count), childSum = [Double](repeating: 0, count: nodes.count)
            var childSquares = [Double](repeating: 0, count: nodes.count)
            for i in 0..<n {
                let node = leafOfPoint[i]
                guard node < slot.count, slot[node] >= 0, children[slot[node]].left >= 0 else { continue }
                let child = Double(x[i * z + nodes[node].feature]) <= nodes[node].threshold ? nodes[node].left : nodes[node].right
                leafOfPoint[i] = child
                childCount[child] += 1
                childSum[child] += target[i]
                childSquares[child] += target[i] * target[i]
            }
            func weightedImpurity(_ c: Int, _ s: Double, _ q: Double) -> Double {
                c == 0 ? 0 : Double(c) * (q / Double(c) - (s / Double(c)) * (s / Double(c)))
            }
            for (s, node) in open.enumerated() where bestFeature[s] >= 0 {
                let (l, r) = children[s]
                let parent = weightedImpurity(counts[s], totals[s], squares[node])
                let split = weightedImpurity(childCount[l], childSum[l], childSquares[l]) + weightedImpurity(childCount[r], childSum[r], childSquares[r])
                decrease[nodes[node].feature] += (parent - split) / Double(n)
            }
            level = next
        }
    }

    /// The leaf a code (`latent` floats starting at `offset` of `x`) falls in.
    func leaf(_ x: [Float], offset: Int) -> Int {
        var index = 0
        while nodes[index].feature >= 0 {
            let node = nodes[index]
            index = Double(x[offset + node.feature]) <= node.threshold ? node.left : node.right
        }
        return index
    }

    /// Whether the tree is more than its root (scikit-learn averages importances over such trees only).
    var hasSplits: Bool { nodes.count > 1 }
}
