import Engine

/// Binarisation of grey-level images, as published MNIST likelihoods use.
public enum Binarization: String, CaseIterable, Sendable {
    /// Keep grey levels in [0, 1].
    case none
    /// x > 0.5 → 1, else 0.
    case fixed
    /// A fresh Bernoulli(x) draw per pixel each time the image is used (Salakhutdinov & Murray 2008).
    case dynamic

    /// Applies the binarisation to a batch in place, drawing from `rng` for `dynamic`.
    public func apply(to batch: inout Tensor, rng: inout RandomGenerator) {
        switch self {
        case .none: return
        case .fixed:
            batch.scalars.withUnsafeMutableBufferPointer { x in
                for i in x.indices { x[i] = x[i] > 0.5 ? 1 : 0 }
            }
        case .dynamic:
            for i in 0..<batch.count { batch[i] = rng.uniform() < batch[i] ? 1 : 0 }
        }
    }
}
