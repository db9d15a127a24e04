import Engine
import Foundation
import Models
import Testing
@testable import Training

@Suite struct ObjectiveTests {
    func train(_ config: RunConfig) throws -> MetricsLog {
        let run = RunDirectory(TinyData.folder() + "/run")
        _ = try Trainer(config: config, dataset: TinyData.dataset(), run: run, progress: SilentProgress()).start()
        return try MetricsLog.read(path: run.metrics)
    }

    /// With C held at 6 nats and a large γ, the KL is pulled to C; a β = 1 run settles elsewhere.
    @Test func capacityMovesKLTowardC() throws {
        let capacity = try train(TinyData.config(objective: .capacity(gamma: 100, start: 6, max: 6, steps: 1), epochs: 4))
        let plain = try train(TinyData.config(objective: .beta(1), epochs: 4))
        let kl = capacity.rows(split: "test").last!.kl
        #expect(abs(kl - 6) < 1, "capacity KL \(kl)")
        #expect(abs(plain.rows(split: "test").last!.kl - 6) > 1.5)
        #expect(capacity.rows(split: "test").last!.capacity == 6)
    }

    @Test func capacityScheduleIsLinear() {
        let objective = Objective.capacity(gamma: 1000, start: 0, max: 25, steps: 100_000)
        #expect(objective.capacity(atStep: 0) == 0)
        #expect(objective.capacity(atStep: 50_000) == 12.5)
        #expect(objective.capacity(atStep: 200_000) == 25)
        #expect(objective.value(recon: 100, kl: 10, step: 20_000) == 100 + 1000 * 5)
        #expect(objective.klWeight(kl: 3, step: 20_000) == -1000)
    }

    @Test func deterministicAutoencoderHasZeroKL() throws {
        let log = try train(TinyData.config(objective: .deterministic, epochs: 2))
        for row in log.rows { #expect(row.kl == 0 && row.klPerDimension.allSatisfy { $0 == 0 }) }
        #expect(log.rows(split: "test").last!.recon < log.rows(split: "test").first!.recon - 50)
    }

    /// A conditional decoder's output changes with the label it is given for the same code.
    /// With β = 4 the code is expensive, so the label carries the class: the bar sits on its row.
    @Test func conditionalDecoderDependsOnLabel() throws {
        let run = RunDirectory(TinyData.folder() + "/cvae")
        let trainer = Trainer(config: TinyData.config(objective: .beta(4), epochs: 25, conditional: true, lr: 5e-3), dataset: TinyData.dataset(), run: run,
                              progress: SilentProgress())
        _ = try trainer.start()
        let code = Tensor(shape: [2, 4])
        let images = trainer.model.decodeImages(code, labels: [0, 9])
        // Class 0 puts the bar on row 3, class 9 on row 21.
        func rowMean(_ image: Int, _ row: Int) -> Float { (4..<24).reduce(0) { $0 + images[image * 784 + row * 28 + $1] } / 20 }
        #expect(rowMean(0, 3) > rowMean(0, 21) + 0.3)
        #expect(rowMean(1, 21) > rowMean(1, 3) + 0.3)
        #expect(trainer.model.namedParameters.first { $0.name == "decoder.0.weight" }?.parameter.value.shape == [32, 14])
    }

    /// One training step's gradient against central differences of the batch objective (fixed
    /// noise), every parameter element of a tiny MLP: relative error below 5e-3.
    @Test(arguments: [Objective.beta(4), .capacity(gamma: 10, start: 2, max: 2, steps: 1), .deterministic])
    func objectiveGradientMatchesFiniteDifferences(objective: Objective) {
        var rng = RandomGenerator(seed: 3)
        let spec = ModelSpec(architecture: .mlp, imageShape: [1, 2, 3], hidden: [5], latent: 2, likelihood: .bernoulli)
        let model = VAE(spec: spec, rng: &rng)
        let images = rng.uniformTensor(shape: [3, 1, 2, 3], low: 0, high: 1)
        StepGradientCheck(model: model, images: images, objective: objective).expectAccurate(tolerance: 5e-3)
    }
}

/// Run names and captions spell numbers through one function; huge values must not overflow Int.
@Test func compactNumberText() {
    #expect(compactNumber(4) == "4")
    #expect(compactNumber(0.1) == "0.1")
    #expect(compactNumber(1e20) == "1e+20")
    #expect(compactNumber(-2) == "-2")
    #expect(compactNumber(.infinity) == "inf")
}
