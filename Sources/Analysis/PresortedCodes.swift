import Foundation

/// Each latent's training points in increasing order of that latent, with their values, stored
/// latent after latent (column-major): computed once per DCI call and shared by every tree of
/// every factor's boosting.
///
/// Why column-major values beside the order: a tree level scans every latent's points in sorted
/// order; reading the value as x[p·Z + j] (row-major) touched one cache line per point of a
/// 10,000 × 4,096 code (160 MB), so the scan was bound by memory latency; the sorted values are
/// read sequentially here.
struct PresortedCodes: Sendable {
    let rows: Int
    let latent: Int
    /// The codes `[N, Z]` row-major, as given.
    let x: [Float]
    /// `order[j·N + r]`: the point of rank r on latent j.
    let order: [Int32]
    /// `values[j·N + r]` = x[order[j·N + r]·Z + j].
    let values: [Float]

    init(x: [Float], latent z: Int) {
        let n = z > 0 ? x.count / z : 0
        rows = n
        latent = z
        self.x = x
        var order = [Int32](repeating: 0, count: n * z), values = [Float](repeating: 0, count: n * z)
        order.withUnsafeMutableBufferPointer { orderBuffer in
            values.withUnsafeMutableBufferPointer { valueBuffer in
                let o = SendablePointer(orderBuffer.baseAddress), v = SendablePointer(valueBuffer.baseAddress)
                x.withUnsafeBufferPointer { xs in
                    let xp = SendablePointer(UnsafeMutablePointer(mutating: xs.baseAddress))
                    DispatchQueue.concurrentPerform(iterations: z) { j in
                        var pairs = (0..<n).map { (xp[$0 * z + j], Int32($0)) }
                        pairs.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
                        for r in 0..<n {
                            v[j * n + r] = pairs[r].0
                            o[j * n + r] = pairs[r].1
                        }
                    }
                }
            }
        }
        self.order = order
        self.values = values
    }
}

/// A raw pointer handed to concurrent workers that write disjoint parts of one buffer.
struct SendablePointer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>?
    init(_ base: UnsafeMutablePointer<T>?) { self.base = base }
    subscript(i: Int) -> T {
        get { base.unsafelyUnwrapped[i] }
        nonmutating set { base.unsafelyUnwrapped[i] = newValue }
    }
}
