/// Fully connected layer y = x·Wᵀ + b, as PyTorch's `nn.Linear`.
///
/// Shapes: input `[N, in]`, output `[N, out]`, `weight` `[out, in]`, `bias` `[out]`.
/// Backward: ∂W += ∂yᵀ·x, ∂b += Σₙ ∂y, ∂x = ∂y·W.
public final class Linear: InputGradientOptional {
    public let inputFeatures: Int
    public let outputFeatures: Int
    public let weight: Parameter
    public let bias: Parameter
    public var needsInputGradient = true
    private var input = Tensor(shape: [0])

    /// A layer with PyTorch's default initialisation drawn from `rng`.
    public init(_ inputFeatures: Int, _ outputFeatures: Int, rng: inout RandomGenerator) {
        precondition(inputFeatures > 0 && outputFeatures > 0, "Linear needs positive sizes")
        self.inputFeatures = inputFeatures
        self.outputFeatures = outputFeatures
        (weight, bias) = DefaultInitialisation.parameters(weightShape: [outputFeatures, inputFeatures],
                                                          biasCount: outputFeatures, fanIn: inputFeatures, rng: &rng)
    }

    public var namedParameters: [NamedParameter] { [("weight", weight), ("bias", bias)] }

    /// y = x·Wᵀ + b. Input `[N, in]` (any trailing shape flattening to `in`), output `[N, out]`.
    public func forward(_ input: Tensor) -> Tensor {
        precondition(input.columns == inputFeatures, "Linear(\(inputFeatures)) got input \(input.shape)")
        self.input = input
        let n = input.rows
        // Every row starts as the bias (then y += x·Wᵀ), so no zero fill first.
        var output = Tensor.unfilled(shape: [n, outputFeatures])
        bias.value.scalars.withUnsafeBufferPointer { b in
            output.scalars.withUnsafeMutableBufferPointer { y in
                for row in 0..<n {
                    (y.baseAddress! + row * outputFeatures).update(from: b.baseAddress!, count: outputFeatures)
                }
            }
        }
        BLAS.gemm(.none, input, .transposed, weight.value, into: &output, beta: 1)
        return output
    }

    /// ∂W += ∂yᵀ·x, ∂b += column sums of ∂y; returns ∂x = ∂y·W (`[N, in]`).
    public func backward(_ outputGradient: Tensor) -> Tensor {
        let n = input.rows
        precondition(outputGradient.shape == [n, outputFeatures], "Linear backward got \(outputGradient.shape)")
        BLAS.gemm(.transposed, outputGradient, .none, input, into: &weight.gradient, beta: 1)
        outputGradient.scalars.withUnsafeBufferPointer { dy in
            bias.gradient.scalars.withUnsafeMutableBufferPointer { db in
                // Row pointers, not `base + j`: an overflow-checked index keeps the loop scalar.
                for row in 0..<n {
                    let dyRow = dy.baseAddress! + row * outputFeatures
                    for j in 0..<outputFeatures { db[j] += dyRow[j] }
                }
            }
        }
        guard needsInputGradient else { return Tensor(shape: [0]) }
        // sgemm with β = 0 writes every element.
        var inputGradient = Tensor.unfilled(shape: [n, inputFeatures])
        BLAS.gemm(.none, outputGradient, .none, weight.value, into: &inputGradient)
        return inputGradient.reshaped(input.shape)
    }
}
