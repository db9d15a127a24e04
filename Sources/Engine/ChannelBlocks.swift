import CKernels

/// Moves tensors `[N, C, H, W]` between NCHW and oneDNN's blocked nChw{B}c, B = `width` (C a
/// multiple of B), and the bias passes of a transposed convolution whose output is blocked.
public enum ChannelBlocks {
    /// The channel block of oneDNN's kernels on this CPU: 16 with AVX-512, 8 with AVX2 (or under
    /// ONEDNN_MAX_CPU_ISA=AVX2). Linking in another block made oneDNN reorder every linked
    /// tensor into its own and back in every pass (`bv_channel_block`).
    public static let width = bv_channel_block()

    /// oneDNN's effective instruction set ("avx2", "avx512_core", …): the CPU's, or lower under
    /// ONEDNN_MAX_CPU_ISA. Public for `make bench`, which says which ISA its figures are for.
    public static var instructionSet: String { String(cString: bv_cpu_isa_name()) }

    /// `tensor` rearranged into (`toBlocked`) or out of blocked; the shape is unchanged.
    static func convert(_ tensor: Tensor, toBlocked: Bool) -> Tensor {
        precondition(tensor.shape.count == 4 && tensor.shape[1] % width == 0, "nChw\(width)c needs [N, \(width)k, H, W], not \(tensor.shape)")
        var result = Tensor.unfilled(shape: tensor.shape)
        tensor.scalars.withUnsafeBufferPointer { from in
            result.scalars.withUnsafeMutableBufferPointer { to in
                guard let from = from.baseAddress, let to = to.baseAddress else { return }
                bv_channel_blocks(from, tensor.shape[0], tensor.shape[1], tensor.shape[2] * tensor.shape[3], to, toBlocked ? 1 : 0, width)
            }
        }
        return result
    }

    /// `batch` blocked images `[N, C, L]` as the channels-first matrix `[C, N·L]` of the im2col path.
    static func channelsFirst(_ source: UnsafePointer<Float>, batch: Int, channels: Int, length: Int, into dest: UnsafeMutablePointer<Float>) {
        bv_blocked_channels_first(source, batch, channels, length, dest, width)
    }

    /// y[n, c, p] += b[c] for `batch` blocked images of `channels` × `length` positions, then
    /// y = max(y, 0) when `rectify` (a fused ReLU).
    static func addBias(_ bias: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, batch: Int, channels: Int, length: Int,
                        rectify: Bool) {
        bv_blocked_bias_add(bias, y, batch, channels, length, rectify ? 1 : 0, width)
    }

    /// ∂b[c] += Σ_{n, p} ∂y[n, c, p] for blocked ∂y.
    static func accumulateBiasGradient(_ dy: UnsafePointer<Float>, into gradient: UnsafeMutablePointer<Float>, batch: Int, channels: Int,
                                       length: Int) {
        bv_blocked_bias_gradient(dy, gradient, batch, channels, length, width)
    }
}
