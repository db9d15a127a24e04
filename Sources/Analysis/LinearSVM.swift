import CLinear
import Foundation

/// A linear SVM on one feature fitted by liblinear as scikit-learn's
/// `LinearSVC(C=0.01, class_weight="balanced")` fits it — the classifier of disentanglement_lib's
/// discrete SAP. scikit-learn wraps its own copy of liblinear; this is Debian's liblinear-dev
/// (2.3) with the same problem: the L2-regularised squared-hinge primal (solver
/// L2R_L2LOSS_SVC, what scikit-learn's `dual="auto"` picks for one feature), tolerance 1e-4, a
/// bias feature of 1 (regularised, `intercept_scaling=1`), one-vs-rest for more than two
/// classes. For class k against the rest it minimises
///
///     ½(w² + b²) + Σ_i C_i · max(0, 1 − y_i (w x_i + b))²
///
/// with C_i = C · n/(K n_k) for class k's points and C for the others (liblinear's one-vs-rest
/// weighting of scikit-learn's balanced weights); with two classes one problem where each class
/// has its own C · n/(2 n_k). The prediction is the class of the largest w_k x + b_k.
final class LinearSVM {
    private var model: UnsafeMutablePointer<model>?
    /// The distinct training labels (one class only: it is predicted everywhere).
    let classes: [Int]

    /// liblinear prints each fit's progress; SAP fits Z × F of them.
    private static let silenced: Void = { set_print_string_function { _ in } }()

    init(x: [Double], labels: [Int], c: Double = 0.01) {
        precondition(x.count == labels.count, "one label per point")
        _ = Self.silenced
        classes = Array(Set(labels)).sorted()
        guard classes.count >= 2 else { return }
        let n = labels.count, k = classes.count
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        var counts = [Int](repeating: 0, count: k)
        for label in labels { counts[index[label] ?? 0] += 1 }
        var targets = labels.map { Double(index[$0] ?? 0) }
        // Each point: its value at index 1, the bias 1 at index 2, the terminator.
        var nodes = [feature_node](repeating: feature_node(index: -1, value: 0), count: 3 * n)
        for i in 0..<n {
            nodes[3 * i] = feature_node(index: 1, value: x[i])
            nodes[3 * i + 1] = feature_node(index: 2, value: 1)
        }
        var weightLabels = (0..<k).map { Int32($0) }
        var weights = counts.map { Double(n) / (Double(k) * Double($0)) }
        model = nodes.withUnsafeMutableBufferPointer { nodeBuffer -> UnsafeMutablePointer<CLinear.model>? in
            var rows = (0..<n).map { Optional(nodeBuffer.baseAddress! + 3 * $0) }
            return targets.withUnsafeMutableBufferPointer { y in
                rows.withUnsafeMutableBufferPointer { rowBuffer in
                    weightLabels.withUnsafeMutableBufferPointer { labelBuffer in
                        weights.withUnsafeMutableBufferPointer { weightBuffer in
                            var problem = CLinear.problem(l: Int32(n), n: 2, y: y.baseAddress, x: rowBuffer.baseAddress, bias: 1)
                            var parameter = CLinear.parameter(solver_type: Int32(L2R_L2LOSS_SVC), eps: 1e-4, C: c, nr_weight: Int32(k),
                                                              weight_label: labelBuffer.baseAddress, weight: weightBuffer.baseAddress, p: 0.1,
                                                              init_sol: nil)
                            precondition(check_parameter(&problem, &parameter) == nil, "liblinear rejects the SVM's settings")
                            return train(&problem, &parameter)
                        }
                    }
                }
            }
        }
    }

    /// (w, b) of each class's decision function w·x + b, in `classes` order; with two classes the
    /// one line of `classes[1]` against `classes[0]`. Empty with one class.
    var lines: [(w: Double, b: Double)] {
        guard let model else { return [] }
        let k = Int(get_nr_class(model))
        var order = [Int32](repeating: 0, count: k)
        get_labels(model, &order)
        func line(_ labelIndex: Int) -> (w: Double, b: Double) {
            (get_decfun_coef(model, 1, Int32(labelIndex)), get_decfun_bias(model, Int32(labelIndex)))
        }
        let wanted = k == 2 ? [1] : Array(0..<k)
        return wanted.map { c in line(order.firstIndex(of: Int32(c)) ?? 0) }
    }

    deinit {
        if model != nil { free_and_destroy_model(&model) }
    }

    func predict(_ value: Double) -> Int {
        guard let model else { return classes.first ?? 0 }
        var point = [feature_node(index: 1, value: value), feature_node(index: 2, value: 1), feature_node(index: -1, value: 0)]
        let label = CLinear.predict(model, &point)
        return classes[min(max(Int(label), 0), classes.count - 1)]
    }
}
