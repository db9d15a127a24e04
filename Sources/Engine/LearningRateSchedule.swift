import Foundation

/// The learning rate at each optimiser step t (0 for the first step), from the base rate η:
///
///     constant:  η
///     cosine:    η_min + (η − η_min)·½(1 + cos(π·min(t, T)/T))     (Loshchilov & Hutter 2017, no restarts;
///                                                                   torch.optim.lr_scheduler.CosineAnnealingLR)
///     step:      η·γ^⌊t/S⌋                                         (torch.optim.lr_scheduler.StepLR, per step)
///
/// A pure function of t, so a resumed run follows the same rates. In config.json:
/// `{"kind": "cosine", "steps": T, "min": η_min}`, `{"kind": "step", "every": S, "factor": γ}`,
/// `{"kind": "constant"}`.
public enum LearningRateSchedule: Codable, Equatable, Sendable {
    case constant
    case cosine(steps: Int, minimum: Double)
    case step(every: Int, factor: Double)

    /// The rate at step `step` for base rate `base`.
    public func rate(base: Double, step: Int) -> Double {
        switch self {
        case .constant: return base
        case let .cosine(steps, minimum):
            let progress = Double(min(step, steps)) / Double(max(steps, 1))
            return minimum + (base - minimum) * 0.5 * (1 + cos(Double.pi * progress))
        case let .step(every, factor):
            return base * pow(factor, Double(step / max(every, 1)))
        }
    }

    /// Why the schedule cannot run with base rate `base`, or nil (names as config.json spells them).
    public func problem(base: Double) -> String? {
        switch self {
        case .constant: return nil
        case let .cosine(steps, minimum):
            guard steps >= 1 else { return "learningRateSchedule steps must be ≥ 1, not \(steps)" }
            guard minimum.isFinite, minimum >= 0, minimum <= base else {
                return "learningRateSchedule min must be a finite number 0…\(base) (the base rate), not \(minimum)"
            }
            return nil
        case let .step(every, factor):
            guard every >= 1 else { return "learningRateSchedule every must be ≥ 1 step, not \(every)" }
            guard factor.isFinite, factor > 0, factor <= 1 else { return "learningRateSchedule factor must be in (0, 1], not \(factor)" }
            return nil
        }
    }

    private enum CodingKeys: String, CodingKey { case kind, steps, min, every, factor }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .kind) {
        case "constant": self = .constant
        case "cosine": self = .cosine(steps: try c.decode(Int.self, forKey: .steps), minimum: try c.decode(Double.self, forKey: .min))
        case "step": self = .step(every: try c.decode(Int.self, forKey: .every), factor: try c.decode(Double.self, forKey: .factor))
        case let other: throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "unknown schedule '\(other)'")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .constant: try c.encode("constant", forKey: .kind)
        case let .cosine(steps, minimum):
            try c.encode("cosine", forKey: .kind)
            try c.encode(steps, forKey: .steps)
            try c.encode(minimum, forKey: .min)
        case let .step(every, factor):
            try c.encode("step", forKey: .kind)
            try c.encode(every, forKey: .every)
            try c.encode(factor, forKey: .factor)
        }
    }
}
