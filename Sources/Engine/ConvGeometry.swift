import Dispatch

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

    /// `im2col` from and into arrays: `image` `[N, C, H, W]`, `columns` `[C·k·k, N·L]` (sizes checked).
    public func im2col(_ image: [Float], batch: Int, into columns: inout [Float]) {
        precondition(image.count >= batch * channels * height * width && columns.count >= patchSize * batch * positions, "im2col sizes")
        image.withUnsafeBufferPointer { x in
            columns.withUnsafeMutableBufferPointer { c in im2col(x.baseAddress!, batch: batch, into: c.baseAddress!) }
        }
    }

    /// `col2im` from and into arrays (sizes checked); `image` is accumulated into.
    public func col2im(_ columns: [Float], batch: Int, into image: inout [Float]) {
        precondition(image.count >= batch * channels * height * width && columns.count >= patchSize * batch * positions, "col2im sizes")
        columns.withUnsafeBufferPointer { c in
            image.withUnsafeMutableBufferPointer { x in col2im(c.baseAddress!, batch: batch, into: x.baseAddress!) }
        }
    }

    /// The walk `im2col` and `col2im` share: for every channel c, kernel offset (ki, kj), image n
    /// and output row oy, `body` gets the offset of that row's line in the columns, the offset in
    /// the image of the input line it reads (x[n, c, iy, −p + kj], nil when iy falls in the vertical
    /// padding) and the output columns whose input lies inside the image. Channels touch disjoint
    /// rows and image planes, so they are split across the cores (the other core otherwise spins in
    /// OpenBLAS between sgemm calls).
    @inline(__always)
    private func forEachLine(batch: Int, _ body: (_ line: Int, _ source: Int?, _ valid: Range<Int>) -> Void) {
        let (outH, outW, L) = (outHeight, outWidth, positions)
        let rowLength = batch * L
        ConvGeometry.parallelFor(channels) { c in
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

    /// Runs `body(i)` for i in 0..<count, split into one contiguous chunk per OpenBLAS thread.
    static func parallelFor(_ count: Int, _ body: (Int) -> Void) {
        let workers = min(max(BLAS.threads, 1), count)
        guard workers > 1 else { for i in 0..<count { body(i) }; return }
        withoutActuallyEscaping(body) { body in
            // The chunks touch disjoint memory, which is what makes sharing `body` safe here.
            let shared = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                for i in (worker * count / workers)..<((worker + 1) * count / workers) { shared.value(i) }
            }
        }
    }
}

/// Moves a batch between `[N, C, L]` (PyTorch's per-image layout) and `[C, N·L]` (channels as
/// matrix rows, the layout sgemm produces for a whole batch).
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

    /// `[N, C, L]` → `[C, N·L]` (or back, with `toChannelsFirst` false) between arrays, sizes checked.
    static func move(_ source: [Float], batch: Int, channels: Int, length: Int, toChannelsFirst: Bool, into dest: inout [Float]) {
        precondition(source.count >= batch * channels * length && dest.count >= batch * channels * length, "channel layout sizes")
        source.withUnsafeBufferPointer { s in
            dest.withUnsafeMutableBufferPointer { d in
                if toChannelsFirst {
                    channelsFirst(s.baseAddress!, batch: batch, channels: channels, length: length, into: d.baseAddress!)
                } else {
                    batchFirst(s.baseAddress!, batch: batch, channels: channels, length: length, into: d.baseAddress!)
                }
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

/// A value handed to concurrent workers that only touch disjoint memory through it.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
