import CBLAS
import CDNNL
import CKernels

/// Whether an sgemm operand is used as stored or transposed.
public enum Transpose: Sendable {
    case none, transposed
    var character: CChar { self == .none ? 78 : 84 }   // "N", "T"
}

/// Thin, safe wrappers over the matrix libraries; only the Engine module talks to them.
///
/// sgemm is oneDNN's (`dnnl_sgemm`), LAPACK is OpenBLAS's. Why oneDNN: one thread of it ran the
/// MLP's and the convolutions' sgemm shapes at 196–250 GFLOPS where OpenBLAS 0.3.21 ran 94–115
/// with the Haswell kernels this machine's environment selects (OPENBLAS_CORETYPE) and 112–222
/// with its own choice, and BLIS 0.9 (Debian) 34–39; oneDNN picks its AVX-512 kernels itself.
/// `make bench` prints the three side by side (section `engine`).
public enum BLAS {
    /// Sets the threads each sgemm call of the calling thread uses (kept per thread, so that
    /// concurrent sweep jobs each have their own), and OpenBLAS's pool for LAPACK.
    public static func setThreads(_ count: Int) {
        bv_set_gemm_threads(Int32(max(1, count)))
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// Stops OpenBLAS's helper threads and starts them again from the calling thread, so that they
    /// inherit its signal mask. OpenBLAS starts them in its library constructor, before `main`
    /// runs, so a mask set at the top of `main` does not reach them otherwise (see
    /// `SignalWatcher.blockTerminationSignals`).
    public static func restartHelperThreads() {
        blas_thread_shutdown_()
        _ = blas_thread_init()
    }

    /// Threads an sgemm call from the calling thread uses (the core count until set).
    public static var threads: Int { Int(bv_gemm_threads()) }

    /// Runs `body` with sgemm held to one thread on the calling thread (a worker that already
    /// has a core of its own), restoring the count afterwards.
    static func singleThreaded(_ body: () -> Void) {
        let count = bv_gemm_threads()
        bv_set_gemm_threads(1)
        body()
        bv_set_gemm_threads(count)
    }

    /// Products below this many multiply-adds run on one core: splitting them costs more in
    /// dispatch and packing than the second core gives back.
    static let parallelMultiplyAdds = 1 << 20

    /// C = α·op(A)·op(B) + β·C on raw row-major buffers.
    ///
    /// - Shapes: op(A) is `[m, k]`, op(B) is `[k, n]`, C is `[m, n]`; `a` is stored `[m, k]`
    ///   (or `[k, m]` when transposed), `b` is stored `[k, n]` (or `[n, k]`).
    /// - With more than one thread, C is split into blocks of rows (or columns, whichever side is
    ///   longer), one per core, each a single-threaded oneDNN call on the engine's pool
    ///   (`ParallelParts`). Why not oneDNN's own OpenMP
    ///   threads: libgomp's idle threads spin after each call and took the core a convolution's
    ///   second worker needed (a burgess step used 3× the CPU time of its convolutions).
    public static func sgemm(_ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
                             alpha: Float = 1, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                             beta: Float = 0, c: UnsafeMutablePointer<Float>) {
        guard m > 0, n > 0 else { return }
        let product = GemmOperands(transA: transA, transB: transB, m: m, n: n, k: k, a: a, b: b, c: c)
        let parts = m * n * k < parallelMultiplyAdds ? 1 : min(threads, max(m, n) / 16)
        guard parts > 1 else { product.compute(alpha: alpha, beta: beta); return }
        ParallelParts.run(parts) { part in product.block(part, of: parts).compute(alpha: alpha, beta: beta) }
    }

    /// C = op(A)·op(B) + β·C in double precision on row-major buffers with leading dimensions
    /// `lda`, `ldb`, `ldc` (OpenBLAS's `cblas_dgemm`, on OpenBLAS's threads): the logistic
    /// regressions of the disentanglement scores, whose products on a 10,000 × 4,096 code were
    /// scalar loops before.
    public static func dgemm(_ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
                             a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                             beta: Double = 0, c: UnsafeMutablePointer<Double>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        cblas_dgemm(CblasRowMajor, transA == .none ? CblasNoTrans : CblasTrans, transB == .none ? CblasNoTrans : CblasTrans,
                    Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
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

/// One row-major sgemm's operands, and the blocks of it that cores can compute apart.
struct GemmOperands {
    let transA: Transpose, transB: Transpose
    let m: Int, n: Int, k: Int
    let a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>
    /// Leading dimensions of the whole matrices, which a block keeps.
    let lda: Int, ldb: Int, ldc: Int

    /// A whole product: the leading dimensions follow from the shapes.
    init(transA: Transpose, transB: Transpose, m: Int, n: Int, k: Int,
         a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>) {
        self.init(transA, transB, m, n, k, a, b, c, lda: transA == .none ? k : m, ldb: transB == .none ? n : k, ldc: n)
    }

    private init(_ transA: Transpose, _ transB: Transpose, _ m: Int, _ n: Int, _ k: Int, _ a: UnsafePointer<Float>,
                 _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, lda: Int, ldb: Int, ldc: Int) {
        (self.transA, self.transB, self.m, self.n, self.k, self.a, self.b, self.c) = (transA, transB, m, n, k, a, b, c)
        (self.lda, self.ldb, self.ldc) = (lda, ldb, ldc)
    }

    /// The `part`-th of `parts` blocks of C: rows when m ≥ n, else columns, split evenly.
    func block(_ part: Int, of parts: Int) -> GemmOperands {
        if m >= n {
            let (start, end) = (part * m / parts, (part + 1) * m / parts)
            return GemmOperands(transA, transB, end - start, n, k, a + (transA == .none ? start * lda : start), b, c + start * ldc,
                                lda: lda, ldb: ldb, ldc: ldc)
        }
        let (start, end) = (part * n / parts, (part + 1) * n / parts)
        return GemmOperands(transA, transB, m, end - start, k, a, b + (transB == .none ? start : start * ldb), c + start,
                            lda: lda, ldb: ldb, ldc: ldc)
    }

    /// C = α·op(A)·op(B) + β·C on the calling thread alone (see `BLAS.sgemm` for why).
    func compute(alpha: Float, beta: Float) {
        // OpenMP's count is per thread and starts at the core count on every new thread.
        omp_set_num_threads(1)
        let status = dnnl_sgemm(transA.character, transB.character, Int64(m), Int64(n), Int64(k),
                                alpha, a, Int64(max(lda, 1)), b, Int64(max(ldb, 1)), beta, c, Int64(ldc))
        // oneDNN refuses only invalid sizes or leading dimensions, which the callers rule out.
        precondition(status == dnnl_success, "dnnl_sgemm failed (\(status)) for [\(m), \(k)]·[\(k), \(n)]")
    }
}
