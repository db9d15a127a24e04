import CKernels

/// How a convolution pass computes: oneDNN's direct kernels on blocked layouts, or im2col/col2im
/// around sgemm (`ConvGeometry`), which the engine keeps for the passes oneDNN runs slowly and for
/// sizes it has no kernel for.
public enum ConvolutionAlgorithm: Sendable {
    case direct, columns
}

/// oneDNN's convolution (`bv_direct_conv`, direct_convolution.c) for one chunk size of one layer,
/// owned by one worker: the forward pass and both backward passes of
/// y = W ⋆ x + b with x `[batch, Cin, H, W]`, W `[Cout, Cin, k, k]`, b `[Cout]`,
/// y `[batch, Cout, Ho, Wo]` (`source` gives Cin, H, W, k, stride and padding; Ho, Wo as Conv2d).
///
/// Why oneDNN: on one core its jit kernels ran the burgess net's 32-channel layers at 210–250
/// GFLOPS in all three passes, reorders to and from its nChw16c layout included, where im2col +
/// sgemm reached 100–200 (`bench conv`; docs/performance.md).
final class DirectConvolution {
    private let handle: OpaquePointer
    let batch: Int

    /// Source channels below which ∂x (and so a transposed convolution's forward pass) runs by
    /// im2col instead: oneDNN's backward-data kernel for a one-channel source ran at 14 GFLOPS
    /// and for three channels at 42, where col2im + sgemm ran the burgess net's 32→1 output layer
    /// at 177 (`bench conv`).
    static let backwardDataMinimumChannels = 8

    /// What a layer's convolutions are made for, besides the chunk size: the geometry of x, the
    /// channels of y, which of them are blocked (nChw{B}c, `ChannelBlocks.width`) rather than NCHW, and whether the forward pass
    /// applies a fused ReLU (`ConvolutionLinks`).
    struct Kind: Equatable {
        let source: ConvGeometry
        let outputChannels: Int
        let sourceBlocked: Bool, destinationBlocked: Bool
        var rectified = false
    }

    /// nil when oneDNN has no convolution for these sizes (the layer then uses im2col).
    init?(batch: Int, kind: Kind) {
        let (g, outputChannels) = (kind.source, kind.outputChannels)
        // The bottom and right padding that make oneDNN's output size Conv2d's ⌊(H + 2p − k)/s⌋ + 1.
        let padBottom = (g.outHeight - 1) * g.stride + g.kernel - g.height - g.padding
        let padRight = (g.outWidth - 1) * g.stride + g.kernel - g.width - g.padding
        guard padBottom >= 0, padRight >= 0,
              let handle = bv_direct_conv_create(batch, g.channels, g.height, g.width, outputChannels, g.outHeight, g.outWidth,
                                                 g.kernel, g.stride, g.padding, padBottom, padRight,
                                                 kind.sourceBlocked ? 1 : 0, kind.destinationBlocked ? 1 : 0,
                                                 kind.rectified ? 1 : 0,
                                                 g.channels >= Self.backwardDataMinimumChannels ? 1 : 0) else { return nil }
        self.handle = handle
        self.batch = batch
    }

    deinit { bv_direct_conv_destroy(handle) }

    /// y = W ⋆ x + b (no bias when `bias` is nil), then max(y, 0) for a `rectified` kind:
    /// x `[batch, Cin, H, W]` → y `[batch, Cout, Ho, Wo]`.
    func forward(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, into y: UnsafeMutablePointer<Float>) {
        check(bv_direct_conv_forward(handle, x, weight, bias, y), "forward")
    }

    /// ∂x = Wᵀ ⋆ ∂y, the adjoint of `forward` in x: ∂y `[batch, Cout, Ho, Wo]` → ∂x `[batch, Cin, H, W]` (overwritten).
    func backwardData(_ dy: UnsafePointer<Float>, weight: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>) {
        check(bv_direct_conv_backward_data(handle, dy, weight, dx), "backward data")
    }

    /// ∂W `[Cout, Cin, k, k]` += Σ_n ∂y[n] ⋆ x[n]; ∂b `[Cout]` += Σ ∂y when `biasGradient` is given.
    func backwardWeights(_ x: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>,
                         addingTo weightGradient: UnsafeMutablePointer<Float>, biasGradient: UnsafeMutablePointer<Float>?) {
        check(bv_direct_conv_backward_weights(handle, x, dy, weightGradient, biasGradient), "backward weights")
    }

    private func check(_ status: Int32, _ pass: String) {
        // oneDNN fails a pass it created only when memory runs out.
        precondition(status == 0, "oneDNN convolution \(pass) failed (status \(status)) for a chunk of \(batch)")
    }
}
