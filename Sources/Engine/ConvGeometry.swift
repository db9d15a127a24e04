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
        let (outH, outW, L) = (outHeight, outWidth, positions)
        let rowLength = batch * L
        // Channels write disjoint rows: split them across the cores (the other core is otherwise
        // spinning in OpenBLAS between sgemm calls).
        ConvGeometry.parallelFor(channels) { c in
            for ki in 0..<kernel {
                for kj in 0..<kernel {
                    let valid = validColumns(kj: kj)
                    let row = columns + ((c * kernel + ki) * kernel + kj) * rowLength
                    for n in 0..<batch {
                        let plane = image + (n * channels + c) * height * width
                        for oy in 0..<outH {
                            let iy = oy * stride - padding + ki
                            let line = row + n * L + oy * outW
                            guard iy >= 0 && iy < height, !valid.isEmpty else {
                                line.update(repeating: 0, count: outW)
                                continue
                            }
                            line.update(repeating: 0, count: valid.lowerBound)
                            let source = plane + iy * width - padding + kj
                            if stride == 1 {
                                (line + valid.lowerBound).update(from: source + valid.lowerBound, count: valid.count)
                            } else {
                                for ox in valid { line[ox] = source[ox &* stride] }   // ox < outW: cannot overflow
                            }
                            (line + valid.upperBound).update(repeating: 0, count: outW - valid.upperBound)
                        }
                    }
                }
            }
        }
    }

    /// The adjoint of `im2col`: adds every column entry back onto the image position it was read
    /// from. `image` `[N, C, H, W]` is accumulated into (zero it first for a plain fold).
    public func col2im(_ columns: UnsafePointer<Float>, batch: Int, into image: UnsafeMutablePointer<Float>) {
        let (outH, outW, L) = (outHeight, outWidth, positions)
        let rowLength = batch * L
        // Channels add into disjoint image planes: split them across the cores.
        ConvGeometry.parallelFor(channels) { c in
            for ki in 0..<kernel {
                for kj in 0..<kernel {
                    let valid = validColumns(kj: kj)
                    guard !valid.isEmpty else { continue }
                    let row = columns + ((c * kernel + ki) * kernel + kj) * rowLength
                    for n in 0..<batch {
                        let plane = image + (n * channels + c) * height * width
                        for oy in 0..<outH {
                            let iy = oy * stride - padding + ki
                            guard iy >= 0 && iy < height else { continue }
                            let line = row + n * L + oy * outW
                            let dest = plane + iy * width - padding + kj
                            for ox in valid { dest[ox &* stride] += line[ox] }
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
