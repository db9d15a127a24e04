import Engine
import Foundation
import Models
import Testing
@testable import Training

/// Each objective after β-VAE against scripts/torch_objectives.py, a PyTorch implementation written
/// from the papers: the same weights (an mlp 16-8-3 and, for FactorVAE, a 2 × 8 discriminator), the
/// same batch of 6 images, noise, second batch and permutation give the same loss terms within 1e-4
/// relative (to max(|value|, 1 nat)) and the same gradients of every parameter within 1e-3 (of the
/// tensor's largest PyTorch gradient), including the discriminator's own loss and gradients.
@Suite struct TorchObjectiveTests {
    static let objectives: [Objective] = [
        .tcvae(TCVAESettings(alpha: 1.5, tcWeight: 6, dimensionWeight: 0.5)),
        .tcvae(TCVAESettings(alpha: 1, tcWeight: 3, dimensionWeight: 2, sampling: .stratified)),
        .factorVAE(FactorVAESettings(gamma: 7, discriminatorLayers: 2, discriminatorHidden: 8)),
        .dipVAE(DIPVAESettings(variant: .i, lambdaOffDiagonal: 4)),
        .dipVAE(DIPVAESettings(variant: .ii, lambdaOffDiagonal: 3, lambdaDiagonal: 5)),
    ]

    @Test(.enabled(if: PyTorchInteropTests.torchAvailable, "needs /usr/bin/python3 with torch and safetensors"), arguments: objectives)
    func sameTermsAndGradientsAsPyTorch(_ objective: Objective) throws {
        var rng = RandomGenerator(seed: 4)
        let spec = ModelSpec(architecture: .mlp, imageShape: [1, 4, 4], hidden: [8], latent: 3)
        let model = VAE(spec: spec, rng: &rng)
        let images = rng.uniformTensor(shape: [6, 1, 4, 4], low: 0, high: 1)
        var discriminator: Discriminator?
        if case .factorVAE(let s) = objective {
            discriminator = Discriminator(latent: 3, layers: s.discriminatorLayers, hidden: s.discriminatorHidden, rng: &rng)
        }
        Gradients.zero(model.namedParameters.map(\.parameter))
        var stepRNG = RandomGenerator(seed: 99)
        let measured = model.trainStep(images: images, objective: objective, step: 0, datasetSize: 50, discriminator: discriminator, rng: &stepRNG)
        var noiseRNG = RandomGenerator(seed: 99)
        var tensors: [(name: String, tensor: Tensor)] = [("input.images", images), ("input.noise", noiseRNG.normalTensor(shape: [6, 3]))]
        tensors += model.namedParameters.map { ($0.name, $0.parameter.value) }
        var discriminatorStep: Discriminator.Step?
        if let discriminator {
            tensors += discriminator.namedParameters.map { ($0.name, $0.parameter.value) }
            let second = rng.normalTensor(shape: [6, 3])
            let permutation = DimensionPermutation.draw(rows: 6, columns: 3, rng: &rng)
            tensors += [("input.second", second), ("input.orders", Tensor(shape: [3, 6], scalars: permutation.orders.flatMap { $0.map(Float.init) }))]
            Gradients.zero(discriminator.namedParameters.map(\.parameter))
            discriminatorStep = discriminator.lossAndGradients(real: measured.code!, permuted: permutation.apply(second))
        }
        let folder = TinyData.folder()
        try SafetensorsWriter.write(tensors, to: folder + "/in.safetensors")
        struct Meta: Encodable { var model: ModelSpec, objective: Objective, datasetSize: Int }
        try JSONEncoder().encode(Meta(model: spec, objective: objective, datasetSize: 50)).write(to: URL(fileURLWithPath: folder + "/in.safetensors.json"))
        let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../scripts").standardized.path
        #expect(try PyTorchInteropTests.python([scripts + "/torch_objectives.py", "compare", folder + "/in.safetensors", folder + "/out.safetensors"]).status == 0)
        let theirs = try SafetensorsFile.read(path: folder + "/out.safetensors")

        let expectedTerms = try theirs.tensor("terms").scalars.map(Double.init)
        let mine = [measured.loss, measured.recon, measured.kl] + measured.terms.prefix(expectedTerms.count - 3)
        #expect(mine.count == expectedTerms.count)
        for (a, b) in zip(mine, expectedTerms) { #expect(abs(a - b) <= 1e-4 * max(abs(b), 1), "terms \(mine) vs PyTorch \(expectedTerms)") }
        var compared = 0
        for item in model.namedParameters + (discriminator?.namedParameters ?? []) {
            let reference = try theirs.tensor("grad." + item.name)
            let worst = (0..<reference.count).reduce(Float(0)) { max($0, abs(item.parameter.gradient[$1] - reference[$1])) }
            #expect(worst <= 1e-3 * reference.maxAbs(), "\(item.name): differs by \(worst) of \(reference.maxAbs())")
            compared += 1
        }
        #expect(compared == model.namedParameters.count + (discriminator?.namedParameters.count ?? 0))
        if let discriminatorStep {
            let loss = try Double(theirs.tensor("discriminator_loss")[0])
            #expect(abs(discriminatorStep.loss - loss) <= 1e-4 * max(abs(loss), 1))
        }
    }

    /// A FactorVAE checkpoint loads into PyTorch as the README says: the model with strict
    /// load_state_dict on its features/encoder/decoder keys, the discriminator on its own; both give
    /// betavae's numbers (μ and the TC estimate within 1e-4).
    @Test(.enabled(if: PyTorchInteropTests.torchAvailable, "needs /usr/bin/python3 with torch and safetensors"))
    func factorVAECheckpointLoadsIntoPyTorch() throws {
        var rng = RandomGenerator(seed: 2)
        let model = VAE(spec: ModelSpec(architecture: .mlp, imageShape: [1, 28, 28], hidden: [32], latent: 4), rng: &rng)
        let network = Discriminator(latent: 4, layers: 3, hidden: 16, rng: &rng)
        let state = DiscriminatorState(network: network, adam: network.optimizer())
        let folder = TinyData.folder()
        try Checkpoint.save(model: model, adam: Adam(parameters: model.namedParameters.map(\.parameter)), discriminator: state,
                            state: Checkpoint(epoch: 0, step: 0, rngState: rng.state), to: folder + "/c.safetensors")
        let images = rng.uniformTensor(shape: [3, 1, 28, 28], low: 0, high: 1), codes = rng.normalTensor(shape: [5, 4])
        try SafetensorsWriter.write([("x", images), ("z", codes)], to: folder + "/x.safetensors")
        let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../scripts").standardized.path
        let script = """
        import sys; sys.path.insert(0, '\(scripts)')
        from safetensors.torch import load_file; from torch_modules import build, discriminator
        state = load_file('\(folder)/c.safetensors')
        m = build('mlp', (1, 28, 28), latent=4, hidden=(32,))
        m.load_state_dict({k: v for k, v in state.items() if k.split('.')[0] in ('features', 'encoder', 'decoder')}, strict=True)
        d = discriminator(latent=4, layers=3, hidden=16)
        d.load_state_dict({k[len('discriminator.'):]: v for k, v in state.items() if k.startswith('discriminator.')}, strict=True)
        inputs = load_file('\(folder)/x.safetensors')
        logits = d(inputs['z'])
        print(' '.join(repr(float(v)) for v in list(m.encode(inputs['x'])[0].detach().ravel()) + [(logits[:, 0] - logits[:, 1]).mean()]))
        """
        let (status, output) = try PyTorchInteropTests.python(["-c", script])
        #expect(status == 0)
        let theirs = output.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        let mine = model.encode(images).mean.scalars.map(Double.init) + [network.totalCorrelation(codes)]
        #expect(theirs.count == mine.count)
        for (a, b) in zip(mine, theirs) { #expect(abs(a - b) < 1e-4) }
    }
}
