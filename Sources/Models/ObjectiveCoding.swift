/// config.json's spelling of the objective: `{"kind": "beta", "beta": 4}` (with `"warmup": STEPS`
/// when warming up), `{"kind": "capacity", "gamma": 1000, "start": 0, "max": 25, "steps": 100000}`,
/// `{"kind": "deterministic"}`, `{"kind": "tcvae", "alpha": 1, "beta": 6, "gamma": 1, "sampling":
/// "weighted"}`, `{"kind": "factorvae", "gamma": 40, "discriminatorLayers": 6, "discriminatorHidden":
/// 1000}`, `{"kind": "dipvae-i", "variant": "i", "lambdaOD": 10, "lambdaD": 100}`. Files written
/// before warm-up existed have no `warmup` and read as 0.
extension Objective {
    private enum CodingKeys: String, CodingKey { case kind, beta, warmup, gamma, start, max, steps }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .kind) {
        case "beta":
            self = .beta(try container.decode(Double.self, forKey: .beta),
                         warmup: try container.decodeIfPresent(Int.self, forKey: .warmup) ?? 0)
        case "capacity":
            self = .capacity(gamma: try container.decode(Double.self, forKey: .gamma), start: try container.decode(Double.self, forKey: .start),
                             max: try container.decode(Double.self, forKey: .max), steps: try container.decode(Int.self, forKey: .steps))
        case "deterministic": self = .deterministic
        case "tcvae": self = .tcvae(try TCVAESettings(from: decoder))
        case "factorvae": self = .factorVAE(try FactorVAESettings(from: decoder))
        case "dipvae-i", "dipvae-ii":
            let settings = try DIPVAESettings(from: decoder)
            guard settings.kind == (try container.decode(String.self, forKey: .kind)) else {
                throw DecodingError.dataCorruptedError(forKey: .kind, in: container, debugDescription: "kind and variant disagree")
            }
            self = .dipVAE(settings)
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: container, debugDescription: "unknown objective '\(other)'")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        switch self {
        case let .beta(beta, warmup):
            try container.encode(beta, forKey: .beta)
            if warmup != 0 { try container.encode(warmup, forKey: .warmup) }
        case let .capacity(gamma, start, maximum, steps):
            try container.encode(gamma, forKey: .gamma)
            try container.encode(start, forKey: .start)
            try container.encode(maximum, forKey: .max)
            try container.encode(steps, forKey: .steps)
        case .deterministic: break
        case .tcvae(let settings): try settings.encode(to: encoder)
        case .factorVAE(let settings): try settings.encode(to: encoder)
        case .dipVAE(let settings): try settings.encode(to: encoder)
        }
    }
}

extension DIPVAESettings {
    var kind: String { variant == .ii ? "dipvae-ii" : "dipvae-i" }
}
