import CKernels

/// The engine's own AVX2 kernels (`single_channel_convolution.c`) for a convolution between a
/// one-channel image `[N, 1, H, W]` and a tensor of C channels (a multiple of 8) in nChw8c
/// `[N, C/8, Ho, Wo, 8]`: the burgess net's first layer (Conv2d 1→32, its output linked) and its
/// last (ConvTranspose2d 32→1, its input linked). Position (oh, ow) of the tensor sees image
/// pixels (oh·s − p + kh, ow·s − p + kw), kh, kw < k, with W `[C, k, k]` (Conv2d's `[C, 1, k, k]`,
/// ConvTranspose2d's `[C, 1, k, k]`).
///
/// Why not oneDNN: timed as the burgess step runs them on the AVX2 EPYC (`bench conv`), oneDNN's
/// weight pass of the first layer ran at 9–17 GFLOPS, and the last layer at 31–44 forward (by
/// im2col + sgemm: oneDNN's AVX2 build has no backward-data kernel for one channel) and 16–25
/// backward, against a sgemm rate of 123–173; a reduction over one channel's 16 taps gives its
/// kernels too little work per load. These tile positions and channels so that each tap's loads
/// feed 8 FMAs in registers: 55–153 GFLOPS for the same passes (docs/performance.md). They are
/// chosen only where measured: oneDNN's AVX2 layout (nChw8c); with AVX-512's nChw16c oneDNN keeps them.
struct SingleChannelConvolution {
    private let geometry: bv_sc_geometry

    /// The kernels for a convolution oneDNN would be asked for as `kind` (the Conv2d view: a
    /// one-channel source, its C-channel output blocked), or nil where they do not apply.
    init?(kind: DirectConvolution.Kind) {
        guard kind.source.channels == 1, kind.outputChannels % 8 == 0, kind.destinationBlocked, ChannelBlocks.width == 8,
              bv_sc_available() != 0 else { return nil }
        self.init(image: kind.source, channels: kind.outputChannels)
    }

    /// The kernels between images of geometry `image` (one channel) and `channels` (a multiple
    /// of 8) in nChw8c, whatever block this CPU's linked layers use: for tests on any x86 CPU.
    init(image g: ConvGeometry, channels: Int) {
        precondition(g.channels == 1 && channels % 8 == 0 && channels > 0, "one channel to a multiple of 8")
        geometry = bv_sc_geometry(height: g.height, width: g.width, channels: channels, out_height: g.outHeight,
                                  out_width: g.outWidth, kernel: g.kernel, stride: g.stride, padding: g.padding)
    }

    /// Floats of scratch each call needs (a zero-padded image and the rearranged weights).
    var scratchFloats: Int { withUnsafePointer(to: geometry) { bv_sc_scratch_floats($0) } }

    /// T = W ⋆ I + b, then max(T, 0) when `rectify`, and 0 where `mask` (laid out as T) is not
    /// above 0: T[n, c, oh, ow] = b[c] + Σ_{kh,kw} W[c, kh, kw] · I[n, oh·s − p + kh, ow·s − p + kw].
    /// Conv2d 1→C's forward, and ConvTranspose2d C→1's ∂x (`bias` nil; `mask` a fused ReLU's
    /// output, applied as each row is written). I `[batch, H, W]` → T `[batch, C/8, Ho, Wo, 8]`, written whole.
    func spread(_ image: UnsafePointer<Float>, batch: Int, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, rectify: Bool,
                mask: UnsafePointer<Float>? = nil, into tensor: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        withUnsafePointer(to: geometry) { bv_sc_spread($0, batch, image, weight, bias, rectify ? 1 : 0, mask, tensor, scratch) }
    }

    /// I = Wᵀ ⋆ T + b, the adjoint of `spread` in its image: I[n, y, x] = b + Σ W[c, kh, kw] · T[n, c, oh, ow]
    /// over y = oh·s − p + kh, x = ow·s − p + kw. ConvTranspose2d C→1's forward (`bias` its one
    /// value) and Conv2d 1→C's ∂x (`bias` nil). T `[batch, C/8, Ho, Wo, 8]` → I `[batch, H, W]`, written whole.
    func gather(_ tensor: UnsafePointer<Float>, batch: Int, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                into image: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        withUnsafePointer(to: geometry) { bv_sc_gather($0, batch, tensor, weight, bias, image, scratch) }
    }

    /// ∂W[c, kh, kw] += Σ_{n, oh, ow} T[n, c, oh, ow] · I[n, oh·s − p + kh, ow·s − p + kw], and
    /// ∂b[c] += Σ T[n, c, ·] when `biasGradient` is given: Conv2d 1→C's weight pass (T = ∂y, I = x,
    /// with its bias) and ConvTranspose2d C→1's (T = x, I = ∂y, whose bias gradient is Σ ∂y instead).
    func weights(image: UnsafePointer<Float>, tensor: UnsafePointer<Float>, batch: Int,
                 addingTo weightGradient: UnsafeMutablePointer<Float>, biasGradient: UnsafeMutablePointer<Float>?,
                 scratch: UnsafeMutablePointer<Float>) {
        withUnsafePointer(to: geometry) { bv_sc_weights($0, batch, image, tensor, weightGradient, biasGradient, scratch) }
    }

    /// `weights(image:tensor:…)` without a bias gradient, then `spread(image, …)` into `spread`
    /// with no bias, masked by T itself when `masked`: ConvTranspose2d C→1's backward (I = ∂y,
    /// T = x, `spread` = ∂x, the mask a fused ReLU's), fused row by row so that x is read from
    /// memory once (each mask row is the row the weight pass has just read): 43–48 GFLOPS a core
    /// against 33–44 for the two passes one after the other.
    func weightsAndSpread(image: UnsafePointer<Float>, tensor: UnsafePointer<Float>, batch: Int,
                          addingTo weightGradient: UnsafeMutablePointer<Float>, weight: UnsafePointer<Float>, masked: Bool,
                          into spread: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        withUnsafePointer(to: geometry) {
            bv_sc_weights_and_spread($0, batch, image, tensor, weightGradient, weight, masked ? 1 : 0, spread, scratch)
        }
    }
}
