/// 2-D transposed convolution with a square kernel, as PyTorch's `nn.ConvTranspose2d`
/// (the adjoint of Conv2d with the same kernel, stride and padding).
///
/// Shapes: input `[N, Cin, H, W]`, output `[N, Cout, Ho, Wo]` with
/// Ho = (H − 1)·s − 2p + k + output_padding, `weight` `[Cin, Cout, k, k]`, `bias` `[Cout]`.
/// Forward: y = col2im(Wᵀ·X) + b; backward: ∂X = W·im2col(∂y), ∂W += X·im2col(∂y)ᵀ, ∂b += Σ ∂y.
public final class ConvTranspose2d: InputGradientOptional {
    public let inputChannels: Int
    public let outputChannels: Int
    public let kernel: Int
    public let stride: Int
    public let padding: Int
    public let outputPadding: Int
    public let weight: Parameter
    public let bias: Parameter
    public var needsInputGradient = true
    private var geometry: ConvGeometry?
    private var batch = 0
    private var inputMatrix: [Float] = []
    /// Scratch column matrix [Cout·k·k, N·H·W], kept between calls so it is not reallocated.
    private var columns: [Float] = []

    /// A layer with PyTorch's default initialisation; PyTorch takes fan_in from weight dim 1,
    /// so here fan_in = Cout·k·k.
    public init(_ inputChannels: Int, _ outputChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                outputPadding: Int = 0, rng: inout RandomGenerator) {
        precondition(outputPadding >= 0 && outputPadding < max(stride, 1), "output_padding must be < stride")
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
        let drawn = DefaultInitialisation.draw(weightShape: [inputChannels, outputChannels, kernel, kernel],
                                               biasCount: outputChannels,
                                               fanIn: outputChannels * kernel * kernel, rng: &rng)
        weight = Parameter(drawn.weight)
        bias = Parameter(drawn.bias)
    }

    public var namedParameters: [NamedParameter] { [("weight", weight), ("bias", bias)] }

    /// Output size for an `height × width` input.
    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        ((height - 1) * stride - 2 * padding + kernel + outputPadding,
         (width - 1) * stride - 2 * padding + kernel + outputPadding)
    }

    /// Input `[N, Cin, H, W]` → output `[N, Cout, Ho, Wo]`.
    public func forward(_ input: Tensor) -> Tensor {
        precondition(input.shape.count == 4 && input.shape[1] == inputChannels,
                     "ConvTranspose2d(\(inputChannels)→\(outputChannels)) got input \(input.shape)")
        let (h, w) = (input.shape[2], input.shape[3])
        let size = outputSize(height: h, width: w)
        // The output plays the part of a Conv2d input whose output is this layer's input.
        let g = ConvGeometry(channels: outputChannels, height: size.height, width: size.width,
                             kernel: kernel, stride: stride, padding: padding)
        precondition(g.outHeight == h && g.outWidth == w, "ConvTranspose2d geometry mismatch")
        let n = input.shape[0], L = h * w
        geometry = g
        batch = n
        if inputMatrix.count != inputChannels * n * L { inputMatrix = [Float](repeating: 0, count: inputChannels * n * L) }
        if columns.count != g.patchSize * n * L { columns = [Float](repeating: 0, count: g.patchSize * n * L) }
        var output = Tensor(shape: [n, outputChannels, size.height, size.width])
        input.scalars.withUnsafeBufferPointer { x in
            inputMatrix.withUnsafeMutableBufferPointer { xm in
                ChannelLayout.channelsFirst(x.baseAddress!, batch: n, channels: inputChannels, length: L,
                                            into: xm.baseAddress!)
            }
        }
        weight.value.scalars.withUnsafeBufferPointer { wt in
            inputMatrix.withUnsafeBufferPointer { xm in
                columns.withUnsafeMutableBufferPointer { cols in
                    BLAS.sgemm(.transposed, .none, m: g.patchSize, n: n * L, k: inputChannels,
                               a: wt.baseAddress!, b: xm.baseAddress!, c: cols.baseAddress!)
                }
            }
        }
        columns.withUnsafeBufferPointer { cols in
            output.scalars.withUnsafeMutableBufferPointer { y in
                g.col2im(cols.baseAddress!, batch: n, into: y.baseAddress!)
                addBias(bias.value, to: y, batch: n, length: size.height * size.width)
            }
        }
        return output
    }

    /// ∂W += X·im2col(∂y)ᵀ, ∂b += Σ ∂y; returns ∂x `[N, Cin, H, W]` = W·im2col(∂y).
    public func backward(_ outputGradient: Tensor) -> Tensor {
        guard let g = geometry else { preconditionFailure("ConvTranspose2d.backward before forward") }
        let n = batch, L = g.positions
        precondition(outputGradient.shape == [n, outputChannels, g.height, g.width],
                     "ConvTranspose2d backward got \(outputGradient.shape)")
        outputGradient.scalars.withUnsafeBufferPointer { dy in
            columns.withUnsafeMutableBufferPointer { cols in
                g.im2col(dy.baseAddress!, batch: n, into: cols.baseAddress!)
            }
            accumulateBiasGradient(dy, into: &bias.gradient, batch: n, length: g.height * g.width)
        }
        inputMatrix.withUnsafeBufferPointer { xm in
            columns.withUnsafeBufferPointer { cols in
                weight.gradient.scalars.withUnsafeMutableBufferPointer { dw in
                    BLAS.sgemm(.none, .transposed, m: inputChannels, n: g.patchSize, k: n * L,
                               a: xm.baseAddress!, b: cols.baseAddress!, beta: 1, c: dw.baseAddress!)
                }
            }
        }
        guard needsInputGradient else { return Tensor(shape: [0]) }
        var dX = [Float](repeating: 0, count: inputChannels * n * L)
        weight.value.scalars.withUnsafeBufferPointer { wt in
            columns.withUnsafeBufferPointer { cols in
                dX.withUnsafeMutableBufferPointer { d in
                    BLAS.sgemm(.none, .none, m: inputChannels, n: n * L, k: g.patchSize,
                               a: wt.baseAddress!, b: cols.baseAddress!, c: d.baseAddress!)
                }
            }
        }
        var inputGradient = Tensor(shape: [n, inputChannels, g.outHeight, g.outWidth])
        dX.withUnsafeBufferPointer { d in
            inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
                ChannelLayout.batchFirst(d.baseAddress!, batch: n, channels: inputChannels, length: L,
                                         into: dx.baseAddress!)
            }
        }
        return inputGradient
    }
}
