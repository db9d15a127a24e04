import Engine
import Foundation

/// Forward+backward times of Linear and Conv2d, and numpy's sgemm for comparison (SgemmLibraries has the engine's).
enum EngineBench {
    static func run() {
        print("== engine (sgemm threads: \(BLAS.threads))")
        var rng = RandomGenerator(seed: 0)
        if let numpy = numpyGFLOPS() { row("numpy's sgemm, [128×784]·[784×400] (same run)", String(format: "%7.1f GFLOPS  (%@)", numpy.0, numpy.1)) }
        let linear = Linear(784, 400, rng: &rng)
        let x = rng.uniformTensor(shape: [128, 784], low: 0, high: 1)
        let dy = rng.normalTensor(shape: [128, 400])
        let linearTime = Timing.median(repeats: 50) { _ = linear.forward(x); _ = linear.backward(dy) }
        row("Linear(784, 400) forward+backward, batch 128", String(format: "%7.3f ms", linearTime * 1e3))
        let conv = Conv2d(32, 32, kernel: 4, stride: 2, padding: 1, rng: &rng)
        let image = rng.normalTensor(shape: [128, 32, 32, 32])
        let convOut = conv.forward(image)
        let convGrad = rng.normalTensor(shape: convOut.shape)
        let convTime = Timing.median(repeats: 5) { _ = conv.forward(image); _ = conv.backward(convGrad) }
        row("Conv2d(32, 32, 4, stride 2) on 32×32, fwd+bwd, batch 128", String(format: "%7.1f ms", convTime * 1e3))
    }
}

/// numpy's float32 matmul at the fc1 shape on this machine (its own OpenBLAS), for comparison.
func numpyGFLOPS() -> (Double, String)? {
    let script = """
    import numpy as np, time
    a = np.random.rand(128, 784).astype(np.float32); b = np.random.rand(784, 400).astype(np.float32)
    for _ in range(20): a @ b
    t = time.perf_counter(); n = 200
    for _ in range(n): a @ b
    dt = (time.perf_counter() - t) / n
    print(2 * 128 * 784 * 400 / dt / 1e9, 'numpy ' + np.__version__)
    """
    guard let (_, output) = runProgram("/usr/bin/env", ["python3", "-c", script]) else { return nil }
    let parts = output.split(separator: " ", maxSplits: 1)
    guard parts.count == 2, let value = Double(parts[0]) else { return nil }
    return (value, parts[1].trimmingCharacters(in: .whitespacesAndNewlines))
}

/// Element-wise pieces of one MLP VAE step, to see what is not sgemm.
enum ElementwiseBench {
    static func run() {
        print("== element-wise (per MLP VAE step, batch 128)")
        var rng = RandomGenerator(seed: 1)
        let parameters = [Parameter(rng.normalTensor(shape: [652_824]))]
        parameters[0].gradient = rng.normalTensor(shape: [652_824])
        let adam = Adam(parameters: parameters)
        row("Adam update, 652,824 parameters", String(format: "%7.3f ms", Timing.median(repeats: 50) { adam.update() } * 1e3))
        row("zero gradients, 652,824 parameters", String(format: "%7.3f ms", Timing.median(repeats: 50) { Gradients.zero(parameters) } * 1e3))
        let logits = rng.normalTensor(shape: [128, 784])
        let targets = rng.uniformTensor(shape: [128, 784], low: 0, high: 1)
        row("BCE-with-logits + gradient, 128×784", String(format: "%7.3f ms", Timing.median(repeats: 50) {
            _ = Losses.bernoulliNLL(logits: logits, targets: targets, gradientScale: 1)
        } * 1e3))
        let relu = ReLU()
        let h = rng.normalTensor(shape: [128, 400])
        row("ReLU forward+backward, 128×400", String(format: "%7.3f ms", Timing.median(repeats: 50) {
            _ = relu.backward(relu.forward(h))
        } * 1e3))
    }
}

import Models

/// One full MLP VAE step (forward, backward, Adam) without data loading: the engine's share of an epoch.
enum StepBench {
    static func run() {
        var rng = RandomGenerator(seed: 0)
        let model = VAE(spec: ModelSpec(architecture: .mlp, imageShape: [1, 28, 28], hidden: [400], latent: 20), rng: &rng)
        let parameters = model.namedParameters.map(\.parameter)
        let adam = Adam(parameters: parameters)
        let images = rng.uniformTensor(shape: [128, 1, 28, 28], low: 0, high: 1)
        let step = Timing.median(repeats: 200) {
            Gradients.zero(parameters)
            _ = model.trainStep(images: images, objective: .beta(1), step: 0, rng: &rng)
            adam.update()
        }
        let forward = Timing.median(repeats: 200) { _ = model.decode(model.encode(images).mean) }
        let pool = (0..<64).map { _ in rng.uniformTensor(shape: [128, 1, 28, 28], low: 0, high: 1) }
        var next = 0
        let fresh = Timing.median(repeats: 200) {
            Gradients.zero(parameters)
            _ = model.trainStep(images: pool[next % 64], objective: .beta(1), step: 0, rng: &rng)
            adam.update()
            next += 1
        }
        row("MLP VAE step, a different batch each step", String(format: "%7.3f ms", fresh * 1e3))
        // The step's sgemm work at the engine's sgemm rate measured above (section engine).
        let gflops = 128 * TrainingBench.mlpFlopsPerImage / step / 1e9
        row("MLP VAE step (fwd+bwd+Adam), batch 128", String(format: "%7.3f ms  (%.0f images/s, %.0f GFLOPS: %.0f%% of the sgemm rate)",
                                                          step * 1e3, 128 / step, gflops, 100 * gflops / SgemmLibraries.engineRate))
        row("MLP VAE forward only, batch 128", String(format: "%7.3f ms", forward * 1e3))
    }
}

/// The smaller pieces of an MLP step.
enum StepPiecesBench {
    static func run() {
        var rng = RandomGenerator(seed: 2)
        row("2,560 standard normals (z noise of a step)", String(format: "%7.3f ms", Timing.median(repeats: 200) { _ = rng.normalTensor(shape: [128, 20]) } * 1e3))
        let mean = rng.normalTensor(shape: [128, 20]), logVariance = rng.normalTensor(shape: [128, 20])
        row("KL per element and its gradient (128×20)", String(format: "%7.3f ms", Timing.median(repeats: 200) {
            _ = Losses.gaussianKL(mean: mean, logVariance: logVariance)
            _ = Losses.gaussianKLGradient(mean: mean, logVariance: logVariance, scale: 1)
        } * 1e3))
        row("allocate and zero 128×784 floats", String(format: "%7.3f ms", Timing.median(repeats: 200) { _ = Tensor(shape: [128, 784]) } * 1e3))
    }
}
