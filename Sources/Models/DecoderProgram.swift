import Engine

/// One step of a decoder written out for another runtime (the report's latent explorer runs it in
/// the browser). Parameters are named by their state-dict keys (`decoder.0.weight`), whose values
/// are exported beside the program.
///
/// - `linear`: y = x·Wᵀ + b, W `[out, in]` (`nn.Linear`).
/// - `relu`: max(x, 0). `leaky_relu`: x or slope·x for x ≤ 0.
/// - `unflatten`: `[d]` → `shape` (no arithmetic: the layout is already C, H, W row-major).
/// - `conv_transpose2d`: `nn.ConvTranspose2d` with W `[Cin, Cout, k, k]`, y[co, iy·s − p + ki, ix·s − p + kj]
///   += x[ci, iy, ix]·W[ci, co, ki, kj], output H·s − s − 2p + k + output_padding.
public struct DecoderOperation: Codable, Equatable, Sendable {
    public var op: String
    public var weight: String?
    public var bias: String?
    public var shape: [Int]?
    public var stride: Int?
    public var padding: Int?
    public var outputPadding: Int?
    public var slope: Float?

    enum CodingKeys: String, CodingKey {
        case op, weight, bias, shape, stride, padding, slope
        case outputPadding = "output_padding"
    }
}

extension VAE {
    /// The decoder as operations in order, from the input `[Z + K]` (z, then the one-hot label of a
    /// conditional model) to the raw output `[C, H, W]` (logits or means; `spec.likelihood.mean`
    /// turns them into the image). Each operation mirrors the layer Architecture.build made.
    public var decoderProgram: [DecoderOperation] {
        decoder.layers.enumerated().map { index, layer in
            let name = "decoder.\(index)"
            switch layer {
            case is Linear: return DecoderOperation(op: "linear", weight: name + ".weight", bias: name + ".bias")
            case is ReLU: return DecoderOperation(op: "relu")
            case let leaky as LeakyReLU: return DecoderOperation(op: "leaky_relu", slope: leaky.slope)
            case let unflatten as Unflatten: return DecoderOperation(op: "unflatten", shape: unflatten.shape)
            case let conv as ConvTranspose2d:
                return DecoderOperation(op: "conv_transpose2d", weight: name + ".weight", bias: name + ".bias",
                                        stride: conv.stride, padding: conv.padding, outputPadding: conv.outputPadding)
            default:
                // Every layer Architecture.build puts into a decoder is listed above (ExplorerTests runs all three).
                preconditionFailure("decoderProgram: no operation for \(type(of: layer))")
            }
        }
    }

    /// The decoder's parameters with their state-dict names (`decoder.0.weight`, …), in layer order.
    public var decoderParameters: [NamedParameter] {
        decoder.namedParameters.map { ("decoder.\($0.name)", $0.parameter) }
    }
}
