import CBLAS

/// Whether an sgemm operand is used as stored or transposed.
public enum Transpose: Sendable {
    case none, transposed
    var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
}

/// Thin, safe wrappers over OpenBLAS. Only the Engine module talks to CBLAS.
public enum BLAS {
    /// Sets the number of threads OpenBLAS uses for each call.
    public static func setThreads(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// Threads OpenBLAS currently uses.
    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// C = α·op(A)·op(B) + β·C on raw row-major buffers.
    ///
    /// - Shapes: op(A) is `[m, k]`, op(B) is `[k, n]`, C is `[m, n]`; `a` is stored `[m, k]`
    ///   (or `[k, m]` when transposed), `b` is stored `[k, n]` (or `[n, k]`).
    public static func sgemm(_ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
                             alpha: Float = 1, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                             beta: Float = 0, c: UnsafeMutablePointer<Float>) {
        guard m > 0, n > 0 else { return }
        let lda = transA == .none ? k : m
        let ldb = transB == .none ? n : k
        cblas_sgemm(CblasRowMajor, transA.cblas, transB.cblas, Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(max(lda, 1)), b, Int32(max(ldb, 1)), beta, c, Int32(n))
    }

    /// C = op(A)·op(B) + β·C on row-major arrays (the convolutions' scratch matrices), with the
    /// sizes checked against the arrays once per call.
    public static func sgemm(_ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
                             a: [Float], b: [Float], beta: Float = 0, into c: inout [Float]) {
        precondition(a.count >= m * k && b.count >= k * n && c.count >= m * n, "sgemm operands smaller than [\(m), \(k)]·[\(k), \(n)]")
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    guard let pa = pa.baseAddress, let pb = pb.baseAddress, let pc = pc.baseAddress else { return }
                    sgemm(transA, transB, m: m, n: n, k: k, a: pa, b: pb, beta: beta, c: pc)
                }
            }
        }
    }

    /// C = α·op(A)·op(B) + β·C for tensors viewed as matrices.
    ///
    /// - Shapes: `a` is `[rows, cols]` as stored (its leading axis is rows, the rest columns);
    ///   op(A) `[m, k]`, op(B) `[k, n]`; `c` must already hold `m·n` elements.
    public static func gemm(_ transA: Transpose, _ a: Tensor, _ transB: Transpose, _ b: Tensor,
                            into c: inout Tensor, alpha: Float = 1, beta: Float = 0) {
        let (m, kA) = transA == .none ? (a.rows, a.columns) : (a.columns, a.rows)
        let (kB, n) = transB == .none ? (b.rows, b.columns) : (b.columns, b.rows)
        precondition(kA == kB, "gemm inner sizes differ: \(a.shape) · \(b.shape)")
        precondition(c.count == m * n, "gemm output holds \(c.count), needs \(m)×\(n)")
        a.scalars.withUnsafeBufferPointer { pa in
            b.scalars.withUnsafeBufferPointer { pb in
                c.scalars.withUnsafeMutableBufferPointer { pc in
                    guard let pa = pa.baseAddress, let pb = pb.baseAddress, let pc = pc.baseAddress else { return }
                    sgemm(transA, transB, m: m, n: n, k: kA, alpha: alpha, a: pa, b: pb, beta: beta, c: pc)
                }
            }
        }
    }

    /// op(A)·op(B) as a new `[m, n]` tensor.
    public static func matmul(_ a: Tensor, _ transA: Transpose = .none,
                              _ b: Tensor, _ transB: Transpose = .none) -> Tensor {
        let m = transA == .none ? a.rows : a.columns
        let n = transB == .none ? b.columns : b.rows
        var c = Tensor(shape: [m, n])
        gemm(transA, a, transB, b, into: &c)
        return c
    }
}
