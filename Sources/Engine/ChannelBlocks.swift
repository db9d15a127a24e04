import CKernels

/// Moves tensors `[N, C, H, W]` between NCHW and nChw16c (C a multiple of 16), and the bias
/// passes of a transposed convolution whose output is nChw16c.
enum ChannelBlocks {
    /// `tensor` rearranged into (`toBlocked`) or out of nChw16c; the shape is unchanged.
    static func convert(_ tensor: Tensor, toBlocked: Bool) -> Tensor {
        precondition(tensor.shape.count == 4 && tensor.shape[1] % 16 == 0, "nChw16c needs [N, 16k, H, W], not \(tensor.shape)")
        var result = Tensor.unfilled(shape: tensor.shape)
        tensor.scalars.withUnsafeBufferPointer { from in
            result.scalars.withUnsafeMutableBufferPointer { to in
                guard let from = from.baseAddress, let to = to.baseAddress else { return }
                bv_channel_blocks(from, tensor.shape[0], tensor.shape[1], tensor.shape[2] * tensor.shape[3], to, toBlocked ? 1 : 0)
            }
        }
        return result
    }

    /// `batch` nChw16c images `[N, C, L]` as the channels-first matrix `[C, N·L]` of the im2col path.
    static func channelsFirst(_ source: UnsafePointer<Float>, batch: Int, channels: Int, length: Int, into dest: UnsafeMutablePointer<Float>) {
        bv_blocked_channels_first(source, batch, channels, length, dest)
    }

    /// y[n, c, p] += b[c] for `batch` nChw16c images of `channels` × `length` positions, then
    /// y = max(y, 0) when `rectify` (a fused ReLU).
    static func addBias(_ bias: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, batch: Int, channels: Int, length: Int,
                        rectify: Bool) {
        bv_blocked_bias_add(bias, y, batch, channels, length, rectify ? 1 : 0)
    }

    /// ∂b[c] += Σ_{n, p} ∂y[n, c, p] for nChw16c ∂y.
    static func accumulateBiasGradient(_ dy: UnsafePointer<Float>, into gradient: UnsafeMutablePointer<Float>, batch: Int, channels: Int,
                                       length: Int) {
        bv_blocked_bias_gradient(dy, gradient, batch, channels, length)
    }
}
