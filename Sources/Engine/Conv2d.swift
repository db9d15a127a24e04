/// 2-D convolution (cross-correlation) with a square kernel, as PyTorch's `nn.Conv2d`,
/// computed as im2col + one sgemm for the whole batch.
///
/// Shapes: input `[N, Cin, H, W]`, output `[N, Cout, Ho, Wo]` with Ho = ⌊(H + 2p − k)/s⌋ + 1,
/// `weight` `[Cout, Cin, k, k]`, `bias` `[Cout]`.
/// y[n,o] = b[o] + Σ_c W[o,c] ⋆ x[n,c]; backward: ∂W += ∂Y·colsᵀ, ∂b += Σ ∂y, ∂x = col2im(Wᵀ·∂Y).
public final class Conv2d: InputGradientOptional {
    public let inputChannels: Int
    public let outputChannels: Int
    public let kernel: Int
    public let stride: Int
    public let padding: Int
    public let weight: Parameter
    public let bias: Parameter
    public var needsInputGradient = true
    private var geometry: ConvGeometry?
    private var batch = 0
    /// Scratch column matrix [Cin·k·k, N·Ho·Wo], kept between calls so it is not reallocated.
    private var columns: [Float] = []
    private var product: [Float] = []

    /// A layer with PyTorch's default initialisation (fan_in = Cin·k·k) drawn from `rng`.
    public init(_ inputChannels: Int, _ outputChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                rng: inout RandomGenerator) {
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        let drawn = DefaultInitialisation.draw(weightShape: [outputChannels, inputChannels, kernel, kernel],
                                               biasCount: outputChannels,
                                               fanIn: inputChannels * kernel * kernel, rng: &rng)
        weight = Parameter(drawn.weight)
        bias = Parameter(drawn.bias)
    }

    public var namedParameters: [NamedParameter] { [("weight", weight), ("bias", bias)] }

    /// Output size for an `height × width` input.
    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        ((height + 2 * padding - kernel) / stride + 1, (width + 2 * padding - kernel) / stride + 1)
    }

    /// Input `[N, Cin, H, W]` → output `[N, Cout, Ho, Wo]`.
    public func forward(_ input: Tensor) -> Tensor {
        precondition(input.shape.count == 4 && input.shape[1] == inputChannels,
                     "Conv2d(\(inputChannels)→\(outputChannels)) got input \(input.shape)")
        let g = ConvGeometry(channels: inputChannels, height: input.shape[2], width: input.shape[3],
                             kernel: kernel, stride: stride, padding: padding)
        let n = input.shape[0], L = g.positions
        geometry = g
        batch = n
        if columns.count != g.patchSize * n * L {
            columns = [Float](repeating: 0, count: g.patchSize * n * L)
        }
        if product.count != outputChannels * n * L { product = [Float](repeating: 0, count: outputChannels * n * L) }
        var output = Tensor(shape: [n, outputChannels, g.outHeight, g.outWidth])
        input.scalars.withUnsafeBufferPointer { x in
            columns.withUnsafeMutableBufferPointer { cols in
                g.im2col(x.baseAddress!, batch: n, into: cols.baseAddress!)
            }
        }
        weight.value.scalars.withUnsafeBufferPointer { w in
            columns.withUnsafeBufferPointer { cols in
                product.withUnsafeMutableBufferPointer { p in
                    BLAS.sgemm(.none, .none, m: outputChannels, n: n * L, k: g.patchSize,
                               a: w.baseAddress!, b: cols.baseAddress!, c: p.baseAddress!)
                }
            }
        }
        product.withUnsafeBufferPointer { p in
            output.scalars.withUnsafeMutableBufferPointer { y in
                ChannelLayout.batchFirst(p.baseAddress!, batch: n, channels: outputChannels, length: L,
                                         into: y.baseAddress!)
                addBias(bias.value, to: y, batch: n, length: L)
            }
        }
        return output
    }

    /// ∂W += ∂Y·colsᵀ, ∂b += Σ ∂y; returns ∂x `[N, Cin, H, W]` = col2im(Wᵀ·∂Y).
    public func backward(_ outputGradient: Tensor) -> Tensor {
        guard let g = geometry else { preconditionFailure("Conv2d.backward before forward") }
        let n = batch, L = g.positions
        precondition(outputGradient.shape == [n, outputChannels, g.outHeight, g.outWidth],
                     "Conv2d backward got \(outputGradient.shape)")
        outputGradient.scalars.withUnsafeBufferPointer { dy in
            product.withUnsafeMutableBufferPointer { d in
                ChannelLayout.channelsFirst(dy.baseAddress!, batch: n, channels: outputChannels, length: L,
                                            into: d.baseAddress!)
            }
            accumulateBiasGradient(dy, into: &bias.gradient, batch: n, length: L)
        }
        product.withUnsafeBufferPointer { d in
            columns.withUnsafeBufferPointer { cols in
                weight.gradient.scalars.withUnsafeMutableBufferPointer { dw in
                    BLAS.sgemm(.none, .transposed, m: outputChannels, n: g.patchSize, k: n * L,
                               a: d.baseAddress!, b: cols.baseAddress!, beta: 1, c: dw.baseAddress!)
                }
            }
        }
        guard needsInputGradient else { return Tensor(shape: [0]) }
        var inputGradient = Tensor(shape: [n, inputChannels, g.height, g.width])
        product.withUnsafeBufferPointer { d in
            weight.value.scalars.withUnsafeBufferPointer { w in
                columns.withUnsafeMutableBufferPointer { dcols in
                    BLAS.sgemm(.transposed, .none, m: g.patchSize, n: n * L, k: outputChannels,
                               a: w.baseAddress!, b: d.baseAddress!, c: dcols.baseAddress!)
                }
            }
        }
        columns.withUnsafeBufferPointer { dcols in
            inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
                g.col2im(dcols.baseAddress!, batch: n, into: dx.baseAddress!)
            }
        }
        return inputGradient
    }
}

/// y[n, c, ·] += b[c] for a batch `[N, C, L]`.
func addBias(_ bias: Tensor, to y: UnsafeMutableBufferPointer<Float>, batch: Int, length: Int) {
    let channels = bias.count
    for n in 0..<batch {
        for c in 0..<channels {
            let value = bias[c]
            let row = y.baseAddress! + (n * channels + c) * length   // a row pointer keeps the loop vectorised
            for i in 0..<length { row[i] += value }
        }
    }
}

/// ∂b[c] += Σ_{n, l} ∂y[n, c, l] for a batch `[N, C, L]`.
func accumulateBiasGradient(_ dy: UnsafeBufferPointer<Float>, into gradient: inout Tensor, batch: Int, length: Int) {
    let channels = gradient.count
    for n in 0..<batch {
        for c in 0..<channels {
            let row = dy.baseAddress! + (n * channels + c) * length
            var total: Float = 0
            for i in 0..<length { total += row[i] }
            gradient[c] += total
        }
    }
}
