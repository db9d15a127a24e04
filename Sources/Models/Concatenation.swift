import Engine

/// The encoder's output `[N, 2Z]` as the posterior's two halves, μ (columns 0..<Z) and log σ²
/// (columns Z..<2Z), and back: `join` is also the backward of `split`.
enum PosteriorHalves {
    /// `[N, 2Z]` → μ `[N, Z]`, log σ² `[N, Z]`.
    static func split(_ x: Tensor) -> (mean: Tensor, logVariance: Tensor) {
        let n = x.rows, z = x.columns / 2
        var first = Tensor(shape: [n, z]), second = Tensor(shape: [n, z])
        for row in 0..<n {
            for j in 0..<z {
                first[row * z + j] = x[row * 2 * z + j]
                second[row * z + j] = x[row * 2 * z + z + j]
            }
        }
        return (first, second)
    }

    /// μ `[N, Z]`, log σ² `[N, Z]` (or their gradients) → `[N, 2Z]`.
    static func join(mean: Tensor, logVariance: Tensor) -> Tensor {
        precondition(mean.shape == logVariance.shape, "join: \(mean.shape) vs \(logVariance.shape)")
        let n = mean.rows, z = mean.columns
        var out = Tensor(shape: [n, 2 * z])
        for row in 0..<n {
            for j in 0..<z {
                out[row * 2 * z + j] = mean[row * z + j]
                out[row * 2 * z + z + j] = logVariance[row * z + j]
            }
        }
        return out
    }
}

/// One-hot labels appended to a batch's columns, the conditioning of a CVAE (Sohn et al. 2015),
/// and the backward that routes the gradient to the batch (labels are constants).
enum LabelConcatenation {
    /// `[N, F]` ⊕ one-hot(labels, K) → `[N, F + K]`; with K = 0 the input itself.
    static func append(_ x: Tensor, labels: [Int], classes: Int) -> Tensor {
        guard classes > 0 else { return x }
        let n = x.rows, f = x.columns
        precondition(labels.count == n, "\(labels.count) labels for \(n) rows")
        var out = Tensor(shape: [n, f + classes])
        x.scalars.withUnsafeBufferPointer { source in
            out.scalars.withUnsafeMutableBufferPointer { dest in
                for row in 0..<n {
                    (dest.baseAddress! + row * (f + classes)).update(from: source.baseAddress! + row * f, count: f)
                    let label = labels[row]
                    precondition(label >= 0 && label < classes, "label \(label) outside 0..<\(classes)")
                    dest[row * (f + classes) + f + label] = 1
                }
            }
        }
        return out
    }

    /// Backward of `append`: the first `width` (= F) columns of a gradient `[N, F + K]`, dropping
    /// the one-hot part; with K = 0 the gradient itself.
    static func appendBackward(_ gradient: Tensor, width: Int) -> Tensor {
        let n = gradient.rows, total = gradient.columns
        guard total != width else { return gradient }
        var out = Tensor(shape: [n, width])
        gradient.scalars.withUnsafeBufferPointer { source in
            out.scalars.withUnsafeMutableBufferPointer { dest in
                for row in 0..<n {
                    (dest.baseAddress! + row * width).update(from: source.baseAddress! + row * total, count: width)
                }
            }
        }
        return out
    }
}
