import Engine
import Foundation
import Models
import Testing
@testable import Training

/// Checkpoints follow PyTorch's names and layouts (scripts/torch_modules.py holds the modules).
@Suite struct PyTorchInteropTests {
    /// Weights made by PyTorch load into the engine's model and give PyTorch's outputs.
    @Test func pytorchWeightsLoadAndAgree() throws {
        guard let path = Bundle.module.url(forResource: "Fixtures/torch_cvae.safetensors", withExtension: nil)?.path else {
            Issue.record("fixture missing"); return
        }
        var rng = RandomGenerator(seed: 0)
        let model = VAE(spec: ModelSpec(architecture: .mlp, imageShape: [1, 28, 28], hidden: [32], latent: 3, conditionClasses: 10),
                        rng: &rng)
        try Checkpoint.loadWeights(path: path, into: model)
        let file = try SafetensorsFile.read(path: path)
        let labels = try file.tensor("input.labels").scalars.map { Int($0) }
        let (mean, logVariance) = model.encode(try file.tensor("input.images"), labels: labels)
        let decoded = model.decode(mean, labels: labels)
        for (mine, name) in [(mean, "expected.mu"), (logVariance, "expected.logvar"), (decoded, "expected.decoded")] {
            let theirs = try file.tensor(name)
            #expect(mine.count == theirs.count)
            let worst = (0..<theirs.count).reduce(Float(0)) { max($0, abs(mine[$1] - theirs[$1])) }
            #expect(worst < 1e-4, "\(name) differs by \(worst)")
        }
    }

    /// Runs /usr/bin/python3 with `arguments`: its exit status and standard output.
    static func python(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    static let torchAvailable: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", "import torch, safetensors.torch"]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    /// Each architecture's checkpoint loads into its PyTorch module with strict load_state_dict,
    /// and PyTorch computes the same μ and the same decoder logits from it (needs Debian's
    /// python3-torch). The conv nets' 32-channel layers run in oneDNN (`DirectConvolution`).
    @Test(.enabled(if: torchAvailable, "needs /usr/bin/python3 with torch and safetensors"),
          arguments: [("mlp", [1, 28, 28], 10), ("conv28", [1, 28, 28], 0), ("burgess", [1, 64, 64], 0), ("dislib", [1, 64, 64], 0), ("conv64", [3, 64, 64], 0)])
    func engineCheckpointsLoadInPyTorch(architecture: String, shape: [Int], classes: Int) throws {
        var rng = RandomGenerator(seed: 1)
        let spec = ModelSpec(architecture: Architecture(rawValue: architecture) ?? .mlp, imageShape: shape, hidden: [64],
                             latent: 4, conditionClasses: classes)
        let model = VAE(spec: spec, rng: &rng)
        let adam = Adam(parameters: model.namedParameters.map(\.parameter))
        let folder = TinyData.folder()
        try Checkpoint.save(model: model, adam: adam, state: Checkpoint(epoch: 0, step: 0, rngState: rng.state), to: folder + "/c.safetensors")
        let images = rng.uniformTensor(shape: [2] + shape, low: 0, high: 1)
        try SafetensorsWriter.write([("x", images)], to: folder + "/x.safetensors")
        let labels = classes > 0 ? [1, 2] : []
        let (mean, _) = model.encode(images, labels: labels)
        let logits = model.decode(mean, labels: labels)
        let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../scripts").standardized.path
        let script = """
        import sys; sys.path.insert(0, '\(scripts)')
        import torch; from safetensors.torch import load_file; from torch_modules import build
        state = load_file('\(folder)/c.safetensors')
        m = build('\(architecture)', (\(shape.map(String.init).joined(separator: ","))), latent=4, hidden=(64,), classes=\(classes))
        m.load_state_dict({k: v for k, v in state.items() if not k.startswith('adam.')}, strict=True)
        x = load_file('\(folder)/x.safetensors')['x']
        y = torch.tensor([1, 2]) if \(classes) else None
        mu = m.encode(x, y)[0].detach()
        print(' '.join(repr(float(v)) for v in mu.ravel()))
        print(' '.join(repr(float(v)) for v in m.decode(mu, y).detach().ravel()))
        """
        let (status, output) = try Self.python(["-c", script])
        #expect(status == 0)
        let lines = output.split(separator: "\n").map { $0.split(separator: " ").compactMap { Float($0) } }
        #expect(lines.count == 2 && lines[0].count == mean.count && lines[1].count == logits.count)
        guard lines.count == 2 else { return }
        for i in 0..<min(lines[0].count, mean.count) { #expect(abs(lines[0][i] - mean[i]) < 1e-4) }
        let worst = zip(lines[1], logits.scalars).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst < 1e-3, "decoder logits differ from PyTorch's by up to \(worst)")
    }

    /// The 64×64 architectures added for imports, dislib (padding 2: sides 33, 17, 9, 5) and conv64
    /// (a 4×4 convolution to 1×1, a stride-1 transposed convolution from it), trained here too: one
    /// autoencoder step's gradient of every parameter (z = μ, BCE with logits summed per image,
    /// mean over the batch) equals PyTorch autograd's on the same weights and images, within 1e-3
    /// of each tensor's largest. (Central differences cannot check them: Float32 rounding of a loss
    /// of ~3,000 nats over 4,096 outputs swamps the difference at any usable step.)
    @Test(.enabled(if: torchAvailable, "needs /usr/bin/python3 with torch and safetensors"),
          arguments: ["dislib", "conv64"])
    func importArchitectureGradientsMatchPyTorch(architecture: String) throws {
        var rng = RandomGenerator(seed: 31)
        let spec = ModelSpec(architecture: Architecture(rawValue: architecture) ?? .burgess, imageShape: [1, 64, 64], latent: 3)
        let model = VAE(spec: spec, rng: &rng)
        let images = rng.uniformTensor(shape: [2, 1, 64, 64], low: 0, high: 1)
        Gradients.zero(model.namedParameters.map(\.parameter))
        _ = model.trainStep(images: images, objective: .deterministic, step: 0, rng: &rng)
        let folder = TinyData.folder()
        try SafetensorsWriter.write(model.namedParameters.map { ($0.name, $0.parameter.value) } + [("x", images)], to: folder + "/w.safetensors")
        let script = """
        import sys; sys.path.insert(0, '\(Self.scriptsFolder)')
        import torch, torch.nn.functional as F; from safetensors.torch import load_file; from torch_modules import build
        state = load_file('\(folder)/w.safetensors'); x = state.pop('x')
        m = build('\(architecture)', (1, 64, 64), latent=3); m.load_state_dict(state, strict=True)
        mu, _ = m.encode(x)
        (F.binary_cross_entropy_with_logits(m.decode(mu), x, reduction='sum') / x.shape[0]).backward()
        for name, p in m.named_parameters():
            print(name, ' '.join(repr(float(v)) for v in p.grad.ravel()))
        """
        let (status, output) = try Self.python(["-c", script])
        #expect(status == 0)
        let theirs = Dictionary(uniqueKeysWithValues: output.split(separator: "\n").map { line -> (String, [Float]) in
            let fields = line.split(separator: " ")
            return (String(fields[0]), fields.dropFirst().compactMap { Float($0) })
        })
        #expect(theirs.count == model.namedParameters.count)
        for item in model.namedParameters {
            let mine = item.parameter.gradient.scalars
            guard let reference = theirs[item.name], reference.count == mine.count else { Issue.record("\(item.name): no PyTorch gradient"); continue }
            let scale = max(reference.map(abs).max() ?? 0, 1e-12)
            let worst = zip(mine, reference).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-3 * scale, "\(item.name): differs from PyTorch's by \(worst) (largest \(scale))")
        }
    }

    static let scriptsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../scripts").standardized.path
}
