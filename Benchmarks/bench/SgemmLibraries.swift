import CBLAS
import Engine
import Foundation

/// sgemm at the MLP VAE's shapes from each library Debian ships, in one run, 2 threads each:
/// oneDNN (the engine's, through `BLAS.sgemm`), OpenBLAS (linked for LAPACK; its kernels follow
/// OPENBLAS_CORETYPE) and BLIS (loaded with dlopen when libblis4 is installed: it exports the same
/// cblas_sgemm symbol as OpenBLAS, so it cannot be linked beside it).
enum SgemmLibraries {
    /// (label, transA, transB, m, n, k): forward x·Wᵀ, backward ∂y·W and ∂yᵀ·x of the MLP.
    static let shapes: [(String, Transpose, Transpose, Int, Int, Int)] = [
        ("[128×784]·[784×400]ᵀ fc1 forward", .none, .transposed, 128, 400, 784),
        ("[128×400]·[400×784]ᵀ fc4 forward", .none, .transposed, 128, 784, 400),
        ("[128×784]·[784×400]  fc4 backward ∂x", .none, .none, 128, 400, 784),
        ("[400×128]ᵀ·[128×784] fc1 backward ∂W", .transposed, .none, 400, 784, 128),
        ("[784×128]ᵀ·[128×400] fc4 backward ∂W", .transposed, .none, 784, 400, 128),
    ]

    typealias CblasSgemm = @convention(c) (CBLAS_ORDER, CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, Int32, Int32, Int32, Float,
                                            UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, Int32, Float,
                                            UnsafeMutablePointer<Float>?, Int32) -> Void

    /// The mean GFLOPS of the engine's sgemm over the MLP's shapes: "the machine's sgemm rate"
    /// that the training figures are set against.
    nonisolated(unsafe) static var engineRate = Double.nan

    static func run() {
        print("== sgemm by library at the MLP's shapes, 2 threads, GFLOPS (OpenBLAS kernels: \(BLAS.coreName))")
        let blis = loadBLIS()
        print("shape".padding(toLength: 40, withPad: " ", startingAt: 0) + "  oneDNN (engine)   OpenBLAS       BLIS")
        var rng = RandomGenerator(seed: 0)
        let operands = shapes.map { _, ta, tb, m, n, k in
            (rng.normalTensor(shape: ta == .none ? [m, k] : [k, m]), rng.normalTensor(shape: tb == .none ? [k, n] : [n, k]))
        }
        // One library at a time over all shapes, the engine's first: OpenBLAS's and BLIS's threads
        // keep spinning after their calls and took the core the engine's next product needed.
        func rates(_ multiply: (Int, Tensor, Tensor, inout Tensor) -> Void) -> [Double] {
            shapes.indices.map { i in
                let (_, _, _, m, n, k) = shapes[i]
                var c = Tensor(shape: [m, n])
                return 2 * Double(m * n * k) / Timing.median(repeats: 50) { multiply(i, operands[i].0, operands[i].1, &c) } / 1e9
            }
        }
        // A quarter second of the engine's products first: the pool's helper thread starts on the
        // caller's core, and the first shape measured ran at 140–200 GFLOPS until the scheduler
        // had moved it to the other core (the rest at 380–400 in the same run).
        var warm = Tensor(shape: [shapes[0].3, shapes[0].4])
        let warmUntil = Timing.now() + 0.25
        while Timing.now() < warmUntil { BLAS.gemm(shapes[0].1, operands[0].0, shapes[0].2, operands[0].1, into: &warm) }
        let engineRates = rates { i, a, b, c in BLAS.gemm(shapes[i].1, a, shapes[i].2, b, into: &c) }
        let openblasRates = rates { i, a, b, c in cblas(cblas_sgemm, shapes[i].1, shapes[i].2, shapes[i].3, shapes[i].4, shapes[i].5, a, b, &c) }
        let blisRates = blis.map { sgemm in rates { i, a, b, c in cblas(sgemm, shapes[i].1, shapes[i].2, shapes[i].3, shapes[i].4, shapes[i].5, a, b, &c) } }
        for i in shapes.indices {
            print(shapes[i].0.padding(toLength: 40, withPad: " ", startingAt: 0)
                  + String(format: "  %15.1f %10.1f ", engineRates[i], openblasRates[i])
                  + (blisRates.map { String(format: "%10.1f", $0[i]) } ?? "    absent"))
        }
        engineRate = engineRates.reduce(0, +) / Double(engineRates.count)
        row("mean of the engine's sgemm over these shapes", String(format: "%7.1f GFLOPS", engineRate))
    }

    static func cblas(_ sgemm: CblasSgemm, _ ta: Transpose, _ tb: Transpose, _ m: Int, _ n: Int, _ k: Int,
                      _ a: Tensor, _ b: Tensor, _ c: inout Tensor) {
        a.scalars.withUnsafeBufferPointer { pa in
            b.scalars.withUnsafeBufferPointer { pb in
                c.scalars.withUnsafeMutableBufferPointer { pc in
                    sgemm(CblasRowMajor, ta == .none ? CblasNoTrans : CblasTrans, tb == .none ? CblasNoTrans : CblasTrans,
                          Int32(m), Int32(n), Int32(k), 1, pa.baseAddress, Int32(ta == .none ? k : m),
                          pb.baseAddress, Int32(tb == .none ? n : k), 0, pc.baseAddress, Int32(n))
                }
            }
        }
    }

    /// BLIS's cblas_sgemm with 2 threads, or nil when libblis4 is not installed.
    static func loadBLIS() -> CblasSgemm? {
        // RTLD_DEEPBIND: BLIS's cblas_sgemm calls its own sgemm_, not OpenBLAS's (already loaded here).
        guard let handle = dlopen("libblis.so.4", RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND), let symbol = dlsym(handle, "cblas_sgemm") else { return nil }
        typealias SetThreads = @convention(c) (Int) -> Void
        if let set = dlsym(handle, "bli_thread_set_num_threads") { unsafeBitCast(set, to: SetThreads.self)(2) }
        return unsafeBitCast(symbol, to: CblasSgemm.self)
    }
}
