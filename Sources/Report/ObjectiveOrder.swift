import Models
import Plot

/// How a comparison of runs of different objectives orders and colours them: by objective (β,
/// capacity, β-TCVAE, FactorVAE, DIP-VAE-I, DIP-VAE-II, autoencoder), then by the objective's weight;
/// one hue per objective, darker for a larger weight.
enum ObjectiveOrder {
    static let kinds = ["beta", "capacity", "tcvae", "factorvae", "dipvae-i", "dipvae-ii", "deterministic"]
    static let hues: [UInt32] = [0x0072B2, 0x56B4E9, 0xD55E00, 0x009E73, 0xCC79A7, 0xE69F00, 0x555555]

    static func rank(_ objective: Objective) -> Int { kinds.firstIndex(of: objective.kind) ?? kinds.count }

    /// Whether the runs mix objectives (then they are ordered and labelled by objective first).
    static func mixed(_ objectives: [Objective]) -> Bool { Set(objectives.map(\.kind)).count > 1 }

    /// a before b: by objective, then by weight (nil when they tie).
    static func before(_ a: Objective, _ b: Objective) -> Bool? {
        if rank(a) != rank(b) { return rank(a) < rank(b) }
        return a.weight != b.weight ? a.weight < b.weight : nil
    }

    /// One colour per run: its objective's hue, mixed toward white for the smaller weights of that
    /// objective (the largest weight gets the full hue).
    static func colors(_ objectives: [Objective]) -> [Color] {
        objectives.map { objective in
            let base = Color(hex: hues[min(rank(objective), hues.count - 1)])
            let weights = Array(Set(objectives.filter { $0.kind == objective.kind }.map(\.weight))).sorted()
            guard weights.count > 1, let position = weights.firstIndex(of: objective.weight) else { return base }
            let lighten = 0.55 * (1 - Double(position) / Double(weights.count - 1))
            return Color(red: base.red + (1 - base.red) * lighten, green: base.green + (1 - base.green) * lighten,
                         blue: base.blue + (1 - base.blue) * lighten)
        }
    }
}
