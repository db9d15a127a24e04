import Engine
import Models

/// The burgess net's training step (no data loading) and each of its convolutions, forward and
/// backward, with the GFLOPS they reach: the engine's share of a conv epoch, layer by layer.
enum ConvBench {
    /// Multiply-adds of a convolution per image: Cout·(Cin·k²)·(output positions) for Conv2d, and
    /// the same count with input and output swapped for ConvTranspose2d.
    static func multiplyAdds(_ layer: ConvolutionLayer, inputSide: Int) -> Int {
        let k2 = layer.kernel * layer.kernel
        if let conv = layer as? Conv2d {
            let out = conv.outputSize(height: inputSide, width: inputSide)
            return conv.outputChannels * conv.inputChannels * k2 * out.height * out.width
        }
        return layer.outputChannels * layer.inputChannels * k2 * inputSide * inputSide
    }

    static func run() {
        // Each convolution as the burgess step runs it: in the model's Sequentials, so linked
        // convolutions pass nChw{8,16}c tensors with their ReLUs fused (ConvolutionLinks), and the
        // first layer computes no ∂x (skipInputGradient). The one-channel layers run on the
        // engine's own kernels where they apply (SingleChannelConvolution: nChw8c, the AVX2 path).
        print("== convolutions: burgess (64×64, Z = 10), batch 64, \(BLAS.threads) threads, linked as in the model (\(ChannelBlocks.instructionSet))")
        var rng = RandomGenerator(seed: 0)
        let batch = 64
        let convolution: (Int, Int) -> Conv2d = { Conv2d($0, $1, kernel: 4, stride: 2, padding: 1, rng: &rng) }
        let deconvolution: (Int, Int) -> ConvTranspose2d = { ConvTranspose2d($0, $1, kernel: 4, stride: 2, padding: 1, rng: &rng) }
        let encoder = Sequential([convolution(1, 32), ReLU(), convolution(32, 32), ReLU(), convolution(32, 32), ReLU(),
                                  convolution(32, 32), ReLU()])
        encoder.skipInputGradient()
        let decoder = Sequential([deconvolution(32, 32), ReLU(), deconvolution(32, 32), ReLU(), deconvolution(32, 32), ReLU(),
                                  deconvolution(32, 1)])
        let convolutions = (encoder.layers + decoder.layers).compactMap { $0 as? ConvolutionLayer }
        let labels = ["conv 1→32 on 64×64", "conv 32→32 on 32×32", "conv 32→32 on 16×16", "conv 32→32 on 8×8",
                      "deconv 32→32 on 4×4", "deconv 32→32 on 8×8", "deconv 32→32 on 16×16", "deconv 32→1 on 32×32"]
        let sides = [64, 32, 16, 8, 4, 8, 16, 32]
        let layers = (0..<8).map { (labels[$0], convolutions[$0], sides[$0]) }
        var totalSeconds = 0.0, totalFlops = 0.0, totalCPU = 0.0
        for (label, layer, side) in layers {
            let input = rng.normalTensor(shape: [batch, layer.inputChannels, side, side])
            let forward: () -> Tensor = { (layer as? Conv2d)?.forward(input) ?? (layer as! ConvTranspose2d).forward(input) }
            let gradient = rng.normalTensor(shape: forward().shape)
            let backward: () -> Void = { _ = (layer as? Conv2d)?.backward(gradient) ?? (layer as! ConvTranspose2d).backward(gradient) }
            let forwardTime = Timing.median(repeats: 21) { _ = forward() }
            // Backward timed on its own after one forward (it reads that pass's saved input): the
            // difference of two medians was noise for the first layer, whose forward varies more.
            _ = forward()
            let backwardTime = Timing.median(repeats: 21) { backward() }
            let cpuTime = Timing.median(repeats: 21, clock: Timing.processCPU) { _ = forward(); backward() }
            totalCPU += cpuTime
            let flops = 2.0 * Double(multiplyAdds(layer, inputSide: side) * batch)
            // Backward is ∂W and ∂x, or ∂W alone for the first layer (it computes no ∂x).
            let backwardFlops = layer.needsInputGradient ? 2 * flops : flops
            totalSeconds += forwardTime + backwardTime
            totalFlops += flops + backwardFlops
            row("  " + label, String(format: "fwd %6.3f ms %6.1f GFLOPS   bwd %6.3f ms %6.1f GFLOPS   cpu %6.3f ms",
                                     forwardTime * 1e3, flops / forwardTime / 1e9, backwardTime * 1e3, backwardFlops / backwardTime / 1e9,
                                     cpuTime * 1e3))
        }
        row("  all convolutions, fwd+bwd", String(format: "%6.2f ms  %6.1f GFLOPS  (cpu %.2f ms: %.1f GFLOPS per busy core)",
                                                   totalSeconds * 1e3, totalFlops / totalSeconds / 1e9, totalCPU * 1e3, totalFlops / totalCPU / 1e9))

        let model = VAE(spec: ModelSpec(architecture: .burgess, imageShape: [1, 64, 64], latent: 10), rng: &rng)
        let parameters = model.namedParameters.map(\.parameter)
        let adam = Adam(parameters: parameters, learningRate: 5e-4)
        let images = rng.uniformTensor(shape: [batch, 1, 64, 64], low: 0, high: 1)
        let step = Timing.median(repeats: 21) {
            Gradients.zero(parameters)
            _ = model.trainStep(images: images, objective: .beta(4), step: 0, rng: &rng)
            adam.update()
        }
        let stepCPU = Timing.median(repeats: 21, clock: Timing.processCPU) {
            Gradients.zero(parameters)
            _ = model.trainStep(images: images, objective: .beta(4), step: 0, rng: &rng)
            adam.update()
        }
        row("burgess step, CPU time of all threads", String(format: "%6.2f ms", stepCPU * 1e3))
        // 74.8 MFLOP to train one image: ../shared/bench/burgess_flops.py.
        row("burgess step (fwd+bwd+Adam), batch 64", String(format: "%6.2f ms  (%.0f images/s, %.1f GFLOPS at 74.8 MFLOP per image)",
                                                              step * 1e3, Double(batch) / step, Double(batch) * 74.8e6 / step / 1e9))
    }
}
