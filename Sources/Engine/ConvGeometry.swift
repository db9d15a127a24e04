import CKernels

/// The geometry of a 2-D convolution with a square kernel: an image `[channels, height, width]`
/// seen through a `kernel × kernel` window moved by `stride` over the zero-padded image, giving
/// `outHeight × outWidth` positions. Shared by Conv2d (forward) and ConvTranspose2d (backward).
public struct ConvGeometry: Equatable, Sendable {
    public let channels: Int
    public let height: Int
    public let width: Int
    public let kernel: Int
    public let stride: Int
    public let padding: Int

    /// Output rows: ⌊(H + 2p − k) / s⌋ + 1.
    public var outHeight: Int { (height + 2 * padding - kernel) / stride + 1 }
    /// Output columns: ⌊(W + 2p − k) / s⌋ + 1.
    public var outWidth: Int { (width + 2 * padding - kernel) / stride + 1 }
    /// Rows of the column matrix: C·k·k.
    public var patchSize: Int { channels * kernel * kernel }
    /// Output positions per image: outHeight·outWidth.
    public var positions: Int { outHeight * outWidth }

    /// The geometry of a convolution over `channels × height × width` inputs with a square `kernel`.
    public init(channels: Int, height: Int, width: Int, kernel: Int, stride: Int, padding: Int) {
        precondition(channels > 0 && kernel > 0 && stride > 0 && padding >= 0, "bad convolution geometry")
        precondition(height + 2 * padding >= kernel && width + 2 * padding >= kernel,
                     "kernel \(kernel) larger than padded image \(height)×\(width)")
        self.channels = channels
        self.height = height
        self.width = width
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
    }

    /// Unfolds `batch` images `[N, C, H, W]` into columns `[C·k·k, N·L]` (L = positions):
    /// column n·L + (oy·outW + ox), row (c·k + ki)·k + kj holds x[n, c, oy·s − p + ki, ox·s − p + kj],
    /// or 0 in the padding. In C (`bv_im2col`): its lines are short and strided (see kernels.c).
    public func im2col(_ image: UnsafePointer<Float>, batch: Int, into columns: UnsafeMutablePointer<Float>) {
        bv_im2col(image, batch, channels, height, width, kernel, stride, padding, outHeight, outWidth, columns)
    }

    /// The adjoint of `im2col`: adds every column entry back onto the image position it was read
    /// from. `image` `[N, C, H, W]` is accumulated into (zero it first for a plain fold).
    public func col2im(_ columns: UnsafePointer<Float>, batch: Int, into image: UnsafeMutablePointer<Float>) {
        bv_col2im(columns, batch, channels, height, width, kernel, stride, padding, outHeight, outWidth, image)
    }
}

/// Moves a batch between `[N, C, L]` (PyTorch's per-image layout) and `[C, N·L]` (channels as
/// matrix rows, the layout sgemm produces for a chunk of images).
enum ChannelLayout {
    /// `[N, C, L]` → `[C, N·L]`.
    static func channelsFirst(_ source: UnsafePointer<Float>, batch: Int, channels: Int, length: Int,
                              into dest: UnsafeMutablePointer<Float>) {
        for n in 0..<batch {
            for c in 0..<channels {
                (dest + c * batch * length + n * length).update(from: source + (n * channels + c) * length, count: length)
            }
        }
    }

    /// `[C, N·L]` → `[N, C, L]`.
    static func batchFirst(_ source: UnsafePointer<Float>, batch: Int, channels: Int, length: Int,
                           into dest: UnsafeMutablePointer<Float>) {
        for n in 0..<batch {
            for c in 0..<channels {
                (dest + (n * channels + c) * length).update(from: source + c * batch * length + n * length, count: length)
            }
        }
    }
}

/// A per-channel bias on a batch `[N, C, L]` and its gradient.
enum ChannelBias {
    /// y[n, c, ·] += b[c].
    static func add(_ bias: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, batch: Int, channels: Int, length: Int) {
        for n in 0..<batch {
            for c in 0..<channels {
                let value = bias[c]
                let row = y + (n * channels + c) * length   // a row pointer keeps the loop vectorised
                for i in 0..<length { row[i] += value }
            }
        }
    }

    /// ∂b[c] += Σ_{n, l} ∂y[n, c, l].
    static func accumulateGradient(_ dy: UnsafePointer<Float>, into gradient: UnsafeMutablePointer<Float>, batch: Int,
                                   channels: Int, length: Int) {
        for n in 0..<batch {
            for c in 0..<channels {
                let row = dy + (n * channels + c) * length
                var total: Float = 0
                for i in 0..<length { total += row[i] }
                gradient[c] += total
            }
        }
    }
}
