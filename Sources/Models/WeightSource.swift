/// Where imported weights were trained. Each repository names and lays out its parameters its own
/// way; `mapping(for:)` says which of its tensors becomes which of ours. Read from each
/// repository's model source (scripts/import_models.py recreates them in PyTorch):
///
/// - `betavae`: this tool's own names (a checkpoint of another run, or weights saved from
///   scripts/torch_modules.py); Adam's moments and FactorVAE's discriminator are skipped.
/// - `yanndubs`: YannDubs/disentangling-vae, `disvae/models/encoders.py` EncoderBurgess and
///   `decoders.py` DecoderBurgess at 64×64 (`--model burgess`). Its `mu_logvar_gen` layer
///   interleaves the posterior: output 2j is μ_j and 2j+1 is log σ²_j (`view(-1, Z, 2).unbind(-1)`),
///   where ours puts μ first and log σ² second, so its rows are reordered.
/// - `1konny`: 1Konny/Beta-VAE, `model.py` BetaVAE_B (`--model burgess`: the same layers as ours in
///   `nn.Sequential`s whose indices count the ReLUs and Views) and BetaVAE_H (`--model conv64`).
/// - `disent`: nmichlo/disent, `disent/model/ae/_vae_conv64.py` EncoderConv64/DecoderConv64
///   (`--model dislib`), saved from its `AutoEncoder` (`_encoder.model.N`, `_decoder.model.N`) or
///   from a framework holding it (`_model.` in front, removed).
public enum WeightSource: String, CaseIterable, Codable, Sendable {
    case betavae
    case yanndubs
    case oneKonny = "1konny"
    case disent

    /// The architectures this repository's models map onto.
    public var architectures: [Architecture] {
        switch self {
        case .betavae: return Architecture.allCases
        case .yanndubs: return [.burgess]
        case .oneKonny: return [.burgess, .conv64]
        case .disent: return [.dislib]
        }
    }

    /// The repository's model for `architecture`, for messages and config.json.
    public func modelName(_ architecture: Architecture) -> String {
        switch self {
        case .betavae: return "betavae \(architecture.rawValue)"
        case .yanndubs: return "YannDubs/disentangling-vae EncoderBurgess + DecoderBurgess"
        case .oneKonny: return architecture == .conv64 ? "1Konny/Beta-VAE BetaVAE_H" : "1Konny/Beta-VAE BetaVAE_B"
        case .disent: return "nmichlo/disent EncoderConv64 + DecoderConv64"
        }
    }

    /// Tensors a file from this source may hold that are no model weight, skipped on import.
    public func isSkipped(_ name: String) -> Bool {
        self == .betavae && (name.hasPrefix("adam.") || name.hasPrefix("discriminator."))
    }

    /// The name a tensor has once the prefix the repository's saving code may add is removed
    /// (disent's frameworks hold the autoencoder as `_model`).
    public func normalizedName(_ name: String) -> String {
        self == .disent && name.hasPrefix("_model.") ? String(name.dropFirst("_model.".count)) : name
    }

    /// Source tensor → our parameter for every parameter of `spec`'s model, in our order; nil when
    /// this repository has no model of that architecture. `ourNames` are the model's parameter
    /// names (`VAE.namedParameters`), which the betavae mapping takes as they are.
    public func mapping(for spec: ModelSpec, ourNames: [String]) -> [ParameterMapping]? {
        guard architectures.contains(spec.architecture), spec.conditionClasses == 0 || self == .betavae else { return nil }
        /// Weight and bias of each (theirs, ours) layer pair.
        func layers(_ pairs: [(String, String)], interleaved: String? = nil) -> [ParameterMapping] {
            pairs.flatMap { theirs, ours in
                ["weight", "bias"].map { kind in
                    ParameterMapping(source: "\(theirs).\(kind)", target: "\(ours).\(kind)",
                                     rows: theirs == interleaved ? .interleavedMeanLogVariance : .same)
                }
            }
        }
        switch self {
        case .betavae:
            return ourNames.map { ParameterMapping(source: $0, target: $0, rows: .same) }
        case .yanndubs:
            return layers([("encoder.conv1", "features.0"), ("encoder.conv2", "features.2"), ("encoder.conv3", "features.4"),
                           ("encoder.conv_64", "features.6"), ("encoder.lin1", "encoder.0"), ("encoder.lin2", "encoder.2"),
                           ("encoder.mu_logvar_gen", "encoder.4"),
                           ("decoder.lin1", "decoder.0"), ("decoder.lin2", "decoder.2"), ("decoder.lin3", "decoder.4"),
                           ("decoder.convT_64", "decoder.7"), ("decoder.convT1", "decoder.9"), ("decoder.convT2", "decoder.11"),
                           ("decoder.convT3", "decoder.13")],
                          interleaved: "encoder.mu_logvar_gen")
        case .oneKonny where spec.architecture == .conv64:
            // BetaVAE_H's encoder: 5 × (Conv2d, ReLU) at 0–9, View at 10, Linear at 11; its decoder:
            // Linear 0, View 1, ReLU 2, ConvTranspose2d at 3, 5, 7, 9, 11 (ours: ReLU 1, Unflatten 2).
            return layers([0, 2, 4, 6, 8].map { ("encoder.\($0)", "features.\($0)") } + [("encoder.11", "encoder.0")]
                          + [0, 3, 5, 7, 9, 11].map { ("decoder.\($0)", "decoder.\($0)") })
        case .oneKonny:
            // BetaVAE_B's encoder Sequential: 4 × (Conv2d, ReLU) at 0–7, View at 8, Linear/ReLU from 9;
            // its decoder: 3 × (Linear, ReLU) at 0–5, View at 6, ConvTranspose2d at 7, 9, 11, 13.
            return layers([("encoder.0", "features.0"), ("encoder.2", "features.2"), ("encoder.4", "features.4"), ("encoder.6", "features.6"),
                           ("encoder.9", "encoder.0"), ("encoder.11", "encoder.2"), ("encoder.13", "encoder.4")]
                          + [0, 2, 4, 7, 9, 11, 13].map { ("decoder.\($0)", "decoder.\($0)") })
        case .disent:
            // The same positions as ours: Flatten at 8 of the encoder's Sequential, Unflatten at 4 of the decoder's.
            return layers([0, 2, 4, 6].map { ("_encoder.model.\($0)", "features.\($0)") }
                          + [(9, 0), (11, 2)].map { ("_encoder.model.\($0.0)", "encoder.\($0.1)") }
                          + [0, 2, 5, 7, 9, 11].map { ("_decoder.model.\($0)", "decoder.\($0)") })
        }
    }

    /// Why a file from this repository does not fit the chosen architecture, when its tensors
    /// show the repository's other model (1Konny's BetaVAE_H for B, or B for H), or nil.
    public func knownMisfit(names: Set<String>, architecture: Architecture) -> String? {
        guard self == .oneKonny else { return nil }
        if architecture == .burgess && names.contains("encoder.8.weight") {
            return "'encoder.8.weight' is BetaVAE_H's 256-channel 4×4 convolution: import BetaVAE_H with --model conv64"
        }
        if architecture == .conv64 && names.contains("encoder.13.weight") {
            return "'encoder.13.weight' is BetaVAE_B's third linear layer: import BetaVAE_B with --model burgess"
        }
        return nil
    }
}

/// One imported tensor: its name in the source file, the parameter it becomes, and how its rows
/// are ordered there.
public struct ParameterMapping: Codable, Equatable, Sendable {
    public var source: String
    public var target: String
    public var rows: RowOrder

    public init(source: String, target: String, rows: RowOrder) {
        self.source = source
        self.target = target
        self.rows = rows
    }

    /// How the rows of the encoder's last layer ([2Z, in] weight, [2Z] bias) hold the posterior.
    public enum RowOrder: String, Codable, Sendable {
        /// Rows as ours: μ_0 … μ_{Z−1}, then log σ²_0 … log σ²_{Z−1}.
        case same
        /// μ_0, log σ²_0, μ_1, log σ²_1, … (YannDubs' `view(-1, Z, 2).unbind(-1)`).
        case interleavedMeanLogVariance
    }

    /// The tensor in our layout: the first dimension's rows reordered for
    /// `.interleavedMeanLogVariance` (our row j < Z is their row 2j, our row Z + j their row 2j + 1).
    public func ourLayout(_ rows2Z: [Float], shape: [Int]) -> [Float] {
        guard rows == .interleavedMeanLogVariance else { return rows2Z }
        precondition(shape[0] % 2 == 0, "an interleaved posterior layer has 2Z rows")
        let z = shape[0] / 2, width = shape.dropFirst().reduce(1, *)
        var out = [Float](repeating: 0, count: rows2Z.count)
        for j in 0..<z {
            for (ours, theirs) in [(j, 2 * j), (z + j, 2 * j + 1)] {
                out.replaceSubrange(ours * width..<(ours + 1) * width, with: rows2Z[theirs * width..<(theirs + 1) * width])
            }
        }
        return out
    }
}
