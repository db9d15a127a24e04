import Engine

/// Column concatenation of a batch with one-hot labels, the conditioning of a CVAE
/// (Sohn et al. 2015), and the split that routes the gradient back.
enum Conditioning {
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

    /// The first `width` columns of `[N, W]` (drops the one-hot part of a gradient).
    static func leading(_ x: Tensor, width: Int) -> Tensor {
        let n = x.rows, total = x.columns
        guard total != width else { return x }
        var out = Tensor(shape: [n, width])
        x.scalars.withUnsafeBufferPointer { source in
            out.scalars.withUnsafeMutableBufferPointer { dest in
                for row in 0..<n {
                    (dest.baseAddress! + row * width).update(from: source.baseAddress! + row * total, count: width)
                }
            }
        }
        return out
    }

    /// Splits `[N, 2Z]` into its first and second halves (μ and log σ²).
    static func halves(_ x: Tensor) -> (Tensor, Tensor) {
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

    /// Joins two `[N, Z]` tensors into `[N, 2Z]`.
    static func join(_ a: Tensor, _ b: Tensor) -> Tensor {
        let n = a.rows, z = a.columns
        var out = Tensor(shape: [n, 2 * z])
        for row in 0..<n {
            for j in 0..<z {
                out[row * 2 * z + j] = a[row * z + j]
                out[row * 2 * z + z + j] = b[row * z + j]
            }
        }
        return out
    }
}
