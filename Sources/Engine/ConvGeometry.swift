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

    /// Output columns ox whose input column ox·s − p + kj lies inside the image, as a range.
    @inline(__always)
    func validColumns(kj: Int) -> Range<Int> {
        // ox·s − p + kj ≥ 0  ⇔  ox ≥ ⌈(p − kj)/s⌉;   ox·s − p + kj ≤ W − 1  ⇔  ox ≤ ⌊(W − 1 + p − kj)/s⌋.
        let low = max(0, (padding - kj + stride - 1) / stride)
        let high = min(outWidth, max(0, (width - 1 + padding - kj) / stride + 1))
        return low..<max(low, high)
    }

    /// Unfolds `batch` images `[N, C, H, W]` into columns `[C·k·k, N·L]` (L = positions):
    /// column n·L + (oy·outW + ox), row (c·k + ki)·k + kj holds x[n, c, oy·s − p + ki, ox·s − p + kj],
    /// or 0 in the padding. The valid range of ox is computed once per kernel column, so the inner
    /// loop has no bounds tests (and is a plain copy at stride 1).
    public func im2col(_ image: UnsafePointer<Float>, batch: Int, into columns: UnsafeMutablePointer<Float>) {
        let outW = outWidth
        forEachLine(batch: batch) { lineOffset, sourceOffset, valid in
            let line = columns + lineOffset
            guard let sourceOffset, !valid.isEmpty else {
                line.update(repeating: 0, count: outW)
                return
            }
            line.update(repeating: 0, count: valid.lowerBound)
            let source = image + sourceOffset
            if stride == 1 {
                (line + valid.lowerBound).update(from: source + valid.lowerBound, count: valid.count)
            } else {
                for ox in valid { line[ox] = source[ox &* stride] }   // ox < outW: cannot overflow
            }
            (line + valid.upperBound).update(repeating: 0, count: outW - valid.upperBound)
        }
    }

    /// The adjoint of `im2col`: adds every column entry back onto the image position it was read
    /// from. `image` `[N, C, H, W]` is accumulated into (zero it first for a plain fold).
    public func col2im(_ columns: UnsafePointer<Float>, batch: Int, into image: UnsafeMutablePointer<Float>) {
        forEachLine(batch: batch) { lineOffset, sourceOffset, valid in
            guard let sourceOffset, !valid.isEmpty else { return }
            let line = columns + lineOffset
            let dest = image + sourceOffset
            for ox in valid { dest[ox &* stride] += line[ox] }
        }
    }

    /// The walk `im2col` and `col2im` share: for every channel c, kernel offset (ki, kj), image n
    /// and output row oy, `body` gets the offset of that row's line in the columns, the offset in
    /// the image of the input line it reads (x[n, c, iy, −p + kj], nil when iy falls in the vertical
    /// padding) and the output columns whose input lies inside the image. Serial: the layers run
    /// it on a chunk of images per core (BatchChunks).
    @inline(__always)
    private func forEachLine(batch: Int, _ body: (_ line: Int, _ source: Int?, _ valid: Range<Int>) -> Void) {
        let (outH, outW, L) = (outHeight, outWidth, positions)
        let rowLength = batch * L
        for c in 0..<channels {
            for ki in 0..<kernel {
                for kj in 0..<kernel {
                    let valid = validColumns(kj: kj)
                    let row = ((c * kernel + ki) * kernel + kj) * rowLength
                    for n in 0..<batch {
                        let plane = (n * channels + c) * height * width
                        for oy in 0..<outH {
                            let iy = oy * stride - padding + ki
                            body(row + n * L + oy * outW, iy >= 0 && iy < height ? plane + iy * width - padding + kj : nil, valid)
                        }
                    }
                }
            }
        }
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
