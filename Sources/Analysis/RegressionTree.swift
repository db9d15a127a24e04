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
/// keeps the first best split (the first position within a latent); equivalently, the split is
/// drawn uniformly among the latents whose best proxy ties the node's best (each at its first best
/// position). So does this tree, with the draw from `rng` (made only when there is a tie) and
/// proxies within 1e-12 (relative) of each other counted as equal (their difference is summation
/// rounding). Breaking ties towards the lowest latent instead would hand every tie to the same
/// latent and shift DCI by about 0.005 from scikit-learn's.
///
/// Growth (`fitStage`): one boosting stage's K trees (one per class, same points, different
/// targets) are grown together, level by level; each level is one pass per latent over the
/// presorted points (`PresortedCodes`) that advances every tree's node of the point at once, so a
/// stage of depth-d trees costs d·Z·N·K steps but reads the sorted lists d·Z times, not d·Z·K
/// times. Measured on a 10,000-point fit with 256 latents and 113 classes (dSprites' factors), the
/// trees grown one at a time spent 99% of `score`'s CPU in that scan, bound by fetching
/// x[p·Z + j] row-major and each node's running sums; the latents are split into chunks that the
/// cores scan side by side (a factor with 40 classes no longer keeps one core busy while the other
/// idles), and the proxies use a table of 1/n instead of two divisions per candidate. The walk
/// itself is `SplitScan`'s: one shared walk for the roots, a screen without divisions below them.
struct RegressionTree: Sendable {
    struct Node: Sendable {
        var feature = -1
        var threshold = 0.0
        var left = -1, right = -1
    }
    private(set) var nodes: [Node] = [Node()]

    /// Latents scanned by one worker per task: at most 32, and at least 8 tasks when there are 8
    /// latents (a 10-latent code as one task left a core idle); a function of Z alone, so the
    /// result does not depend on the core count.
    static func latentsPerTask(_ z: Int) -> Int { max(1, min(32, (z + 7) / 8)) }

    /// Fits one tree per column of `targets` (`[N, K]` row-major) on `data`'s points, each to the
    /// maximum depth. Returns the trees and the leaf (node index) of each point in each tree
    /// (`[N, K]`), and adds each split's impurity decrease — n·MSE(node) − n_L·MSE(left) −
    /// n_R·MSE(right), divided by N (scikit-learn's `compute_feature_importances(normalize=False)`)
    /// — to `decrease[feature]`.
    static func fitStage(data: PresortedCodes, targets: [Double], trees k: Int, maximumDepth: Int, rng: inout RandomGenerator,
                         decrease: inout [Double]) -> (trees: [RegressionTree], leaves: [Int32]) {
        let n = data.rows, z = data.latent
        precondition(targets.count == n * k, "targets are [N, K]")
        var trees = [RegressionTree](repeating: RegressionTree(), count: k)
        var leaves = [Int32](repeating: 0, count: n * k)
        guard n > 0, k > 0 else { return (trees, leaves) }
        let inverse = [Double](unsafeUninitializedCapacity: n + 1) { buffer, count in
            buffer[0] = 0
            for m in 1...n { buffer[m] = 1 / Double(m) }
            count = n + 1
        }
        for level in 0..<maximumDepth {
            // Totals of every tree's nodes of this level.
            let width = trees.map(\.nodes.count).max() ?? 1
            var count = [Int](repeating: 0, count: k * width), sum = [Double](repeating: 0, count: k * width)
            var squares = [Double](repeating: 0, count: k * width)
            for p in 0..<n {
                for c in 0..<k {
                    let q = c * width + Int(leaves[p * k + c]), t = targets[p * k + c]
                    count[q] += 1
                    sum[q] += t
                    squares[q] += t * t
                }
            }
            // Nodes that may split (at least 2 points, impurity above machine ε): slot s of tree c is q = c·open + s.
            var slotOfNode = [Int8](repeating: -1, count: k * width)
            var openNodes = [[Int]](repeating: [], count: k)
            for c in 0..<k {
                for node in 0..<trees[c].nodes.count where trees[c].nodes[node].feature < 0 {
                    let q = c * width + node, m = Double(count[q])
                    guard m >= 2 else { continue }
                    let impurity = squares[q] / m - (sum[q] / m) * (sum[q] / m)
                    guard impurity > Double.ulpOfOne else { continue }
                    slotOfNode[q] = Int8(openNodes[c].count)
                    openNodes[c].append(node)
                }
            }
            let open = openNodes.map(\.count).max() ?? 0
            guard open > 0 else { break }
            precondition(open <= Int(Int8.max), "too many open nodes per level")
            var slot = [Int8](repeating: -1, count: n * k)
            for p in 0..<n { for c in 0..<k { slot[p * k + c] = slotOfNode[c * width + Int(leaves[p * k + c])] } }
            var totals = [Double](repeating: 0, count: k * open), counts = [Int32](repeating: 0, count: k * open)
            for c in 0..<k { for (s, node) in openNodes[c].enumerated() { totals[c * open + s] = sum[c * width + node]; counts[c * open + s] = Int32(count[c * width + node]) } }

            // Scan the latents in fixed chunks side by side.
            let chunk = latentsPerTask(z), tasks = (z + chunk - 1) / chunk
            let found = ConcurrentSlots<BestSplits>(count: tasks)
            let (slotOf, nodeTotals, nodeCounts) = (slot, totals, counts)
            // The roots hold every point: one walk shares the count and neighbours of all K trees (SplitScan.root).
            let rootTargets = level == 0 ? paddedRows(targets, columns: k) : []
            let active = level == 0 ? (0..<k).map { slotOfNode[$0 * width] >= 0 } : []
            DispatchQueue.concurrentPerform(iterations: tasks) { task in
                let range = (task * chunk)..<min(z, (task + 1) * chunk)
                if level == 0 {
                    found.set(task, SplitScan.root(data: data, latents: range, targets4: rootTargets, blocks: (k + 3) / 4, active: active,
                                                   totals: nodeTotals, inverse: inverse))
                } else {
                    found.set(task, SplitScan.nodes(data: data, latents: range, targets: targets, slot: slotOf, totals: nodeTotals,
                                                    counts: nodeCounts, trees: k, open: open, inverse: inverse))
                }
            }
            // Merge the chunks in latent order; draw among tied latents.
            let chunks = found.values.map { $0 ?? BestSplits(slots: 0) }
            var best = chunks[0]
            for other in chunks.dropFirst() { best.merge(other) }
            var splitAny = false
            var children = [(left: Int32, right: Int32)](repeating: (-1, -1), count: k * open)
            for c in 0..<k {
                for (s, node) in openNodes[c].enumerated() {
                    let q = c * open + s
                    let candidates = best.candidates[q]
                    guard !candidates.isEmpty else { continue }
                    let pick = candidates.count == 1 ? candidates[0] : candidates[Int(rng.next() % UInt64(candidates.count))]
                    let left = trees[c].nodes.count
                    trees[c].nodes[node].feature = Int(pick.latent)
                    trees[c].nodes[node].threshold = pick.threshold
                    trees[c].nodes[node].left = left
                    trees[c].nodes[node].right = left + 1
                    trees[c].nodes.append(Node())
                    trees[c].nodes.append(Node())
                    children[q] = (Int32(left), Int32(left + 1))
                    splitAny = true
                }
            }
            guard splitAny else { break }
            // Send the points down; the children's totals give each split's impurity decrease.
            let childWidth = trees.map(\.nodes.count).max() ?? 1
            var childCount = [Int](repeating: 0, count: k * childWidth), childSum = [Double](repeating: 0, count: k * childWidth)
            var childSquares = [Double](repeating: 0, count: k * childWidth)
            for p in 0..<n {
                for c in 0..<k {
                    let s = Int(slot[p * k + c])
                    guard s >= 0, children[c * open + s].left >= 0 else { continue }
                    let node = trees[c].nodes[Int(leaves[p * k + c])]
                    let child = Double(data.x[p * z + node.feature]) <= node.threshold ? node.left : node.right
                    leaves[p * k + c] = Int32(child)
                    let t = targets[p * k + c]
                    childCount[c * childWidth + child] += 1
                    childSum[c * childWidth + child] += t
                    childSquares[c * childWidth + child] += t * t
                }
            }
            func weightedImpurity(_ m: Int, _ s: Double, _ q: Double) -> Double {
                m == 0 ? 0 : Double(m) * (q / Double(m) - (s / Double(m)) * (s / Double(m)))
            }
            for c in 0..<k {
                for (s, node) in openNodes[c].enumerated() where children[c * open + s].left >= 0 {
                    let (l, r) = (Int(children[c * open + s].left), Int(children[c * open + s].right))
                    let q = c * width + node, ql = c * childWidth + l, qr = c * childWidth + r
                    let parent = weightedImpurity(count[q], sum[q], squares[q])
                    let split = weightedImpurity(childCount[ql], childSum[ql], childSquares[ql])
                        + weightedImpurity(childCount[qr], childSum[qr], childSquares[qr])
                    decrease[trees[c].nodes[node].feature] += (parent - split) / Double(n)
                }
            }
        }
        return (trees, leaves)
    }

    /// `[N, K]` row-major as N rows of ⌈K/4⌉ `SIMD4`s, the last one zero-padded.
    static func paddedRows(_ values: [Double], columns k: Int) -> [SIMD4<Double>] {
        let blocks = (k + 3) / 4, n = k > 0 ? values.count / k : 0
        var rows = [SIMD4<Double>](repeating: .zero, count: n * blocks)
        for p in 0..<n { for c in 0..<k { rows[p * blocks + c / 4][c % 4] = values[p * k + c] } }
        return rows
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

    /// Whether the tree is more than its root.
    var hasSplits: Bool { nodes.count > 1 }
}
