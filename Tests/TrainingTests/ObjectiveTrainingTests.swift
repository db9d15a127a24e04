import Engine
import Foundation
import Models
import Testing
@testable import Training

/// The objectives after β-VAE in the training loop: their term columns, and a resumed run that
/// ends with the same weights — the discriminator's and its Adam's included — as an uninterrupted one.
@Suite struct ObjectiveTrainingTests {
    static let objectives: [(Objective, LearningRateSchedule?)] = [
        (.factorVAE(FactorVAESettings(gamma: 5, discriminatorLayers: 2, discriminatorHidden: 16)), nil),
        (.tcvae(TCVAESettings(sampling: .stratified)), .step(every: 7, factor: 0.5)),
        (.dipVAE(DIPVAESettings(variant: .ii)), nil),
        (.beta(4, warmup: 15), .cosine(steps: 30, minimum: 1e-4)),
    ]

    func config(_ objective: Objective, _ schedule: LearningRateSchedule?, epochs: Int) -> RunConfig {
        var config = TinyData.config(objective: objective, epochs: epochs)
        config.learningRateSchedule = schedule
        return config
    }

    /// 1 epoch and a resume to 3 give the tensors of 3 straight epochs bit for bit (checkpoints
    /// hold the discriminator and its moments), and the same metrics rows, terms included.
    @Test(arguments: objectives)
    func resumeEqualsUninterruptedRun(_ objective: Objective, _ schedule: LearningRateSchedule?) throws {
        let straight = RunDirectory(TinyData.folder() + "/a")
        _ = try Trainer(config: config(objective, schedule, epochs: 3), dataset: TinyData.dataset(), run: straight, progress: SilentProgress()).start()
        let split = RunDirectory(TinyData.folder() + "/b")
        _ = try Trainer(config: config(objective, schedule, epochs: 1), dataset: TinyData.dataset(), run: split, progress: SilentProgress()).start()
        _ = try Trainer(config: config(objective, schedule, epochs: 3), dataset: TinyData.dataset(), run: split, progress: SilentProgress()).resume()
        let a = try SafetensorsFile.read(path: straight.latestCheckpoint), b = try SafetensorsFile.read(path: split.latestCheckpoint)
        #expect(a.names == b.names)
        for name in a.names { #expect(try a.tensor(name) == b.tensor(name), "\(name) differs") }
        if case .factorVAE = objective {
            #expect(a.names.contains("discriminator.4.weight") && a.names.contains("adam.exp_avg_sq.discriminator.0.bias"))
            #expect(a.metadata["discriminator_step"] == "30" && b.metadata["discriminator_step"] == "30")
        }
        let names = objective.termNames
        let rowsA = try MetricsLog.read(path: straight.metrics, termNames: names).rows, rowsB = try MetricsLog.read(path: split.metrics, termNames: names).rows
        #expect(rowsA.map(\.nelbo) == rowsB.map(\.nelbo) && rowsA.map(\.terms) == rowsB.map(\.terms))
        #expect(rowsA.allSatisfy { $0.terms.count == names.count && $0.terms.allSatisfy(\.isFinite) })
        if case .beta = objective {
            // 10 steps per epoch: β(0) = 0, β(10) = 4·10/15, then 4 (metrics.csv keeps 6 decimals).
            let expected = [0, 0, 4.0 * 10 / 15, 4.0 * 10 / 15, 4, 4, 4, 4]
            #expect(zip(rowsA.map(\.beta), expected).allSatisfy { abs($0 - $1) < 1e-6 }, "\(rowsA.map(\.beta))")
        }
    }

    /// A FactorVAE checkpoint without its discriminator is refused by name, not trained from a fresh one.
    @Test func factorVAECheckpointNeedsTheDiscriminator() throws {
        let run = RunDirectory(TinyData.folder() + "/plain")
        _ = try Trainer(config: TinyData.config(epochs: 1), dataset: TinyData.dataset(), run: run, progress: SilentProgress()).start()
        let factor = config(Self.objectives[0].0, nil, epochs: 2)
        let trainer = Trainer(config: factor, dataset: TinyData.dataset(), run: run, progress: SilentProgress())
        #expect(throws: TrainingError.self) { _ = try trainer.resume() }
        do { _ = try trainer.resume() } catch { #expect("\(error)".contains("discriminator")) }
    }
}
