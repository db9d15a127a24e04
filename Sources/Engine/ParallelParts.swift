import CKernels

/// The engine's way onto the other cores: the parts of one job run on the calling thread and the
/// pool's helper threads (`bv_parallel_for`, parallel.c), each part once. `BLAS.sgemm`'s blocks
/// and `BatchChunks`' worker shares use it.
///
/// Why a pool of its own rather than GCD's `concurrentPerform`: a parked GCD worker woke slowly
/// enough on this VM that two-thread sgemm at the MLP's shapes ran 206–245 GFLOPS in one run and
/// 300–380 in the next; the pool's helpers spin between a step's jobs, and the caller takes any
/// part a helper has not claimed yet.
enum ParallelParts {
    /// Calls `body(part)` for every part in `0..<parts`, concurrently where helpers are free, and
    /// returns when all are done. `body` must only touch memory its part owns.
    static func run(_ parts: Int, _ body: (Int) -> Void) {
        guard parts > 1 else {
            if parts == 1 { body(0) }
            return
        }
        withoutActuallyEscaping(body) { body in
            var job = body
            withUnsafeMutablePointer(to: &job) { pointer in
                bv_parallel_for(parts, { context, part in
                    context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(part)
                }, pointer)
            }
        }
    }

    /// Calls `body(range)` on `0..<count` units (elements, or rows of `unitSize` elements) in one
    /// range when they hold fewer than `threshold` elements, else in one contiguous range per
    /// sgemm thread (`BLAS.threads`) on the pool: for passes whose units are independent, so the
    /// split changes no result.
    static func split(_ count: Int, unitSize: Int = 1, threshold: Int, _ body: (Range<Int>) -> Void) {
        let parts = count * unitSize < threshold ? 1 : min(count, max(1, BLAS.threads))
        run(parts) { part in body(part * count / parts..<(part + 1) * count / parts) }
    }
}
