import ArgumentParser
import Engine
import Models
import Training

/// The options of the objectives after β-VAE (β-TCVAE, FactorVAE, DIP-VAE), β's warm-up and the
/// learning-rate schedule; part of `train` and `sweep`.
struct ObjectiveOptions: ParsableArguments {
    @Option(help: "β objective: β rises linearly from 0 over the first STEPS optimiser steps (default 0: no warm-up).")
    var klWarmup = 0
    @Option(help: "β-TCVAE: α, the weight of the index-code mutual information (0…1,000,000, as every weight: the loss is single precision).")
    var alpha = 1.0
    @Option(help: "β-TCVAE: β, the weight of the total correlation (0…1,000,000).")
    var tcWeight = 6.0
    @Option(help: "β-TCVAE: γ, the weight of the dimension-wise KL (0…1,000,000).")
    var gammaDim = 1.0
    @Option(help: "β-TCVAE: how q(z) is estimated from the minibatch: weighted (minibatch-weighted) or stratified.")
    var tcSampling = TCSampling.weighted
    @Option(help: "FactorVAE: hidden layers of the discriminator (the paper's 6; at most \(Objective.discriminatorLayerLimit)).")
    var discriminatorLayers = 6
    @Option(help: "FactorVAE: units per hidden layer of the discriminator (the paper's 1000).")
    var discriminatorHidden = 1000
    @Option(help: "DIP-VAE: λ_od, the weight of the squared off-diagonal covariances (default 10; 0…1,000,000).")
    var lambdaOd = 10.0
    @Option(help: "DIP-VAE: λ_d, the weight of the squared diagonal gaps (default 10·λ_od for dipvae-i, λ_od for dipvae-ii; 0…1,000,000).")
    var lambdaD: Double?

    @Option(help: "Learning-rate schedule: constant, cosine (to --lr-min over --lr-steps) or step (×--lr-step-factor every --lr-step-every steps).")
    var lrSchedule = ScheduleKind.constant
    @Option(help: "cosine: the rate reached at the end (default 0).")
    var lrMin = 0.0
    @Option(help: "cosine: steps over which the rate falls (default: every step of the run).")
    var lrSteps: Int?
    @Option(help: "step: steps between decays (default 10,000).")
    var lrStepEvery = 10_000
    @Option(help: "step: the factor of each decay, in (0, 1] (default 0.1).")
    var lrStepFactor = 0.1

    /// Each option on its own: finite, in range.
    func validate() throws {
        for (name, value) in [("--alpha", alpha), ("--tc-weight", tcWeight), ("--gamma-dim", gammaDim), ("--lambda-od", lambdaOd),
                              ("--lambda-d", lambdaD ?? 0), ("--lr-min", lrMin), ("--lr-step-factor", lrStepFactor)]
        where !(value.isFinite && value >= 0) {
            throw ValidationError("\(name) must be a finite number ≥ 0, not \(value)")
        }
        // Upper bounds that keep the Float32 loss finite (Objective.weightLimit says why).
        for (name, value) in [("--alpha", alpha), ("--tc-weight", tcWeight), ("--gamma-dim", gammaDim), ("--lambda-od", lambdaOd),
                              ("--lambda-d", lambdaD ?? 0)] {
            if let problem = Objective.weightProblem(name, value) { throw ValidationError(problem) }
        }
        guard klWarmup >= 0 else { throw ValidationError("--kl-warmup must be ≥ 0 steps, not \(klWarmup)") }
        guard (1...Objective.discriminatorLayerLimit).contains(discriminatorLayers) else {
            throw ValidationError("--discriminator-layers must be 1…\(Objective.discriminatorLayerLimit), not \(discriminatorLayers)")
        }
        guard (1...ModelSpec.hiddenLimit).contains(discriminatorHidden) else {
            throw ValidationError("--discriminator-hidden must be 1…\(ModelSpec.hiddenLimit), not \(discriminatorHidden)")
        }
        if let lrSteps, lrSteps < 1 { throw ValidationError("--lr-steps must be ≥ 1, not \(lrSteps)") }
        guard lrStepEvery >= 1 else { throw ValidationError("--lr-step-every must be ≥ 1, not \(lrStepEvery)") }
        guard lrStepFactor > 0, lrStepFactor <= 1 else { throw ValidationError("--lr-step-factor must be in (0, 1], not \(lrStepFactor)") }
    }

    /// Options that belong to another objective or schedule are refused, not ignored.
    func checkCombination(objective: ObjectiveKind, learningRate: Double) throws {
        let d = try ObjectiveOptions.parse([])
        let owners: [(String, Bool, Bool)] = [
            ("--kl-warmup", klWarmup != d.klWarmup, objective == .beta),
            ("--alpha", alpha != d.alpha, objective == .tcvae), ("--tc-weight", tcWeight != d.tcWeight, objective == .tcvae),
            ("--gamma-dim", gammaDim != d.gammaDim, objective == .tcvae), ("--tc-sampling", tcSampling != d.tcSampling, objective == .tcvae),
            ("--discriminator-layers", discriminatorLayers != d.discriminatorLayers, objective == .factorvae),
            ("--discriminator-hidden", discriminatorHidden != d.discriminatorHidden, objective == .factorvae),
            ("--lambda-od", lambdaOd != d.lambdaOd, objective.isDIP), ("--lambda-d", lambdaD != nil, objective.isDIP),
        ]
        if let (name, _, _) = owners.first(where: { $0.1 && !$0.2 }) {
            throw ValidationError("\(name) applies only with --objective \(Self.owner(of: name)); it does nothing for --objective \(objective.rawValue)")
        }
        let schedule: [(String, Bool, ScheduleKind)] = [("--lr-min", lrMin != d.lrMin, .cosine), ("--lr-steps", lrSteps != nil, .cosine),
                                                        ("--lr-step-every", lrStepEvery != d.lrStepEvery, .step),
                                                        ("--lr-step-factor", lrStepFactor != d.lrStepFactor, .step)]
        if let (name, _, kind) = schedule.first(where: { $0.1 && $0.2 != lrSchedule }) {
            throw ValidationError("\(name) applies only with --lr-schedule \(kind.rawValue)")
        }
        if lrSchedule == .cosine && lrMin > learningRate {
            throw ValidationError("--lr-min \(lrMin) is above --lr \(learningRate); the cosine schedule falls from --lr to --lr-min")
        }
    }

    private static func owner(of option: String) -> String {
        switch option {
        case "--kl-warmup": return "beta"
        case "--discriminator-layers", "--discriminator-hidden": return "factorvae"
        case "--lambda-od", "--lambda-d": return "dipvae-i or dipvae-ii"
        default: return "tcvae"
        }
    }

    /// The options a resume would silently drop (the run's config.json fixes them).
    var changedFromDefaults: [(String, Bool)] {
        let d = (try? ObjectiveOptions.parse([])) ?? self
        return [("--kl-warmup", klWarmup != d.klWarmup), ("--alpha", alpha != d.alpha), ("--tc-weight", tcWeight != d.tcWeight),
                ("--gamma-dim", gammaDim != d.gammaDim), ("--tc-sampling", tcSampling != d.tcSampling),
                ("--discriminator-layers", discriminatorLayers != d.discriminatorLayers),
                ("--discriminator-hidden", discriminatorHidden != d.discriminatorHidden), ("--lambda-od", lambdaOd != d.lambdaOd),
                ("--lambda-d", lambdaD != nil), ("--lr-schedule", lrSchedule != d.lrSchedule), ("--lr-min", lrMin != d.lrMin),
                ("--lr-steps", lrSteps != nil), ("--lr-step-every", lrStepEvery != d.lrStepEvery),
                ("--lr-step-factor", lrStepFactor != d.lrStepFactor)]
    }

    /// The objective `kind` names, with these options' weights (`gamma`: --gamma as given).
    func objective(_ kind: ObjectiveKind, beta: Double, gamma: Double?, capacity: (start: Double, max: Double, steps: Int)) -> Objective {
        switch kind {
        case .beta: return .beta(beta, warmup: klWarmup)
        case .capacity: return .capacity(gamma: gamma ?? 1000, start: capacity.start, max: capacity.max, steps: capacity.steps)
        case .tcvae: return .tcvae(TCVAESettings(alpha: alpha, tcWeight: tcWeight, dimensionWeight: gammaDim, sampling: tcSampling))
        case .factorvae:
            return .factorVAE(FactorVAESettings(gamma: gamma ?? FactorVAESettings().gamma, discriminatorLayers: discriminatorLayers,
                                                discriminatorHidden: discriminatorHidden))
        case .dipvaeI, .dipvaeII:
            return .dipVAE(DIPVAESettings(variant: kind == .dipvaeI ? .i : .ii, lambdaOffDiagonal: lambdaOd, lambdaDiagonal: lambdaD))
        }
    }

    /// The schedule for a run of `totalSteps` steps (cosine falls over all of them unless --lr-steps says otherwise).
    func schedule(totalSteps: Int) -> LearningRateSchedule? {
        switch lrSchedule {
        case .constant: return nil
        case .cosine: return .cosine(steps: lrSteps ?? max(totalSteps, 1), minimum: lrMin)
        case .step: return .step(every: lrStepEvery, factor: lrStepFactor)
        }
    }
}

/// The objectives `--objective` names (the autoencoder is `--deterministic`).
enum ObjectiveKind: String, CaseIterable, ExpressibleByArgument {
    case beta, capacity, tcvae, factorvae
    case dipvaeI = "dipvae-i"
    case dipvaeII = "dipvae-ii"

    var isDIP: Bool { self == .dipvaeI || self == .dipvaeII }
}

/// `--lr-schedule`'s values.
enum ScheduleKind: String, CaseIterable, ExpressibleByArgument {
    case constant, cosine, step
}

extension TCSampling: ExpressibleByArgument {}
