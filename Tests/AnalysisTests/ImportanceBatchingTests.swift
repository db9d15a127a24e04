import Datasets
import Engine
import Foundation
import Models
import Testing
@testable import Analysis

/// The batched IWAE estimator means what the per-sample one means: decoding K codes of an image
/// group as one batch, whatever the memory budget, gives the numbers of decoding them one by one.
@Suite struct ImportanceBatchingTests {
    func model(conditionClasses: Int = 0) -> VAE {
        var rng = RandomGenerator(seed: 11)
        return VAE(spec: ModelSpec(architecture: .mlp, imageShape: [1, 3, 3], hidden: [6], latent: 3,
                                   conditionClasses: conditionClasses), rng: &rng)
    }

    func images(_ count: Int) -> FloatImages {
        var rng = RandomGenerator(seed: 12)
        return FloatImages(shape: [1, 3, 3], pixels: (0..<(count * 9)).map { _ in rng.uniform(0, 1) })
    }

    /// Burda et al.'s estimator written out one sample at a time: ε drawn image by image, sample by
    /// sample, each code decoded alone, log p(x) = log mean exp of the log weights.
    func perSampleNLL(pass: PosteriorPass, samples: Int, seed: UInt64) -> (nll: [Double], elbo: [Double]) {
        var rng = RandomGenerator(seed: seed)
        var nll: [Double] = [], elbo: [Double] = []
        let model = pass.model, z = model.spec.latent
        pass.forEachBatch(batchSize: 1) { batch in
            var weights: [Double] = []
            for _ in 0..<samples {
                var code = Tensor(shape: [1, z])
                var logRatio = 0.0
                for j in 0..<z {
                    let eps = rng.normal()
                    let value = batch.mean[j] + exp(0.5 * batch.logVariance[j]) * eps
                    code[j] = value
                    logRatio += 0.5 * Double(eps * eps - value * value + batch.logVariance[j])
                }
                let output = model.decode(code, labels: model.spec.conditionClasses > 0 ? batch.labels : [])
                let (perImage, _) = model.spec.likelihood.negativeLogLikelihood(output: output, images: batch.images, gradientScale: nil)
                weights.append(-Double(perImage[0]) + logRatio)
            }
            let top = weights.max()!
            nll.append(-(top + log(weights.reduce(0) { $0 + exp($1 - top) } / Double(samples))))
            elbo.append(-weights.reduce(0, +) / Double(samples))
        }
        return (nll, elbo)
    }

    @Test(arguments: [0, 2]) func batchedEstimateEqualsThePerSampleOne(conditionClasses: Int) {
        let model = model(conditionClasses: conditionClasses)
        let pass = PosteriorPass(model: model, set: images(7), binarization: .none, seed: 3)
        let samples = 12
        let reference = perSampleNLL(pass: pass, samples: samples, seed: 9)
        let n = Double(reference.nll.count)
        let meanNLL = reference.nll.reduce(0, +) / n
        let floatsPerCode = model.decodeFloatsPerCode
        // A budget of 5 codes splits each image's K = 12 over three decodes; 40 codes put three
        // images with all their samples in one decode; the default puts all seven in one.
        for budget in [5 * 4 * floatsPerCode, 40 * 4 * floatsPerCode, HeldOutLikelihood.memoryBudget] {
            let batching = HeldOutLikelihood.Batching(samples: samples, floatsPerCode: floatsPerCode, budget: budget)
            let batched = HeldOutLikelihood.estimate(pass: pass, samples: samples, seed: 9, memoryBudget: budget)
            #expect(abs(batched.nll - meanNLL) < 1e-4 * abs(meanNLL), "budget \(budget) (\(batching)): \(batched.nll) vs \(meanNLL)")
            #expect(abs(batched.elboNLL - reference.elbo.reduce(0, +) / n) < 1e-4 * abs(meanNLL))
            #expect(batched.images == 7 && batched.samples == samples)
        }
        let split = HeldOutLikelihood.Batching(samples: samples, floatsPerCode: floatsPerCode, budget: 5 * 4 * floatsPerCode)
        #expect(split.imagesPerGroup == 1 && split.samplesPerDecode == 5)
        let grouped = HeldOutLikelihood.Batching(samples: samples, floatsPerCode: floatsPerCode, budget: 40 * 4 * floatsPerCode)
        #expect(grouped.imagesPerGroup == 3 && grouped.samplesPerDecode == 12)
        // Another seed gives other numbers: the comparison above is not vacuous.
        let other = HeldOutLikelihood.estimate(pass: pass, samples: samples, seed: 10)
        #expect(abs(other.nll - meanNLL) > 1e-3)
    }

    /// A decode never asks for more than the budget, whatever K and the model, and a code's
    /// footprint counts what the layers hold: for the MLP 20-400-784, the inputs and outputs of
    /// Linear, ReLU, Linear and Unflatten plus three images for the likelihood.
    @Test func decodesStayWithinTheBudget() {
        var rng = RandomGenerator(seed: 0)
        let mlp = VAE(spec: ModelSpec(architecture: .mlp, imageShape: [1, 28, 28], hidden: [400], latent: 20), rng: &rng)
        #expect(mlp.decodeFloatsPerCode == (20 + 400) + (400 + 400) + (400 + 784) + (784 + 784) + 3 * 784)
        let burgess = VAE(spec: ModelSpec(architecture: .burgess, imageShape: [1, 64, 64], latent: 10), rng: &rng)
        // The third transposed convolution alone keeps a [32·4·4, 16·16] column matrix per code.
        #expect(burgess.decodeFloatsPerCode > 32 * 16 * 256 && burgess.decodeFloatsPerCode < 600_000)
        for floats in [mlp.decodeFloatsPerCode, burgess.decodeFloatsPerCode] {
            for samples in [1, 10, 100, 1000, 100_000] {
                let batching = HeldOutLikelihood.Batching(samples: samples, floatsPerCode: floats, budget: HeldOutLikelihood.memoryBudget)
                #expect(batching.rowsPerDecode * floats * 4 <= HeldOutLikelihood.memoryBudget)
                #expect(batching.imagesPerGroup == 1 || batching.samplesPerDecode == samples)
            }
        }
    }
}
