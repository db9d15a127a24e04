import Analysis
import Datasets
import Engine
import Models

/// What the objectives after β-VAE add to the training loop: FactorVAE's discriminator and its
/// step, and every objective's own terms on an evaluated split (metrics.csv's term columns).
extension Trainer {
    /// FactorVAE's discriminator with its Adam, initialised from a generator of its own (the run's
    /// seed + 0xD15C), so the model's initialisation and the shuffles are those of a β run with the
    /// same seed; nil for the other objectives.
    static func discriminator(for config: RunConfig) -> DiscriminatorState? {
        guard case .factorVAE(let settings) = config.objective else { return nil }
        var rng = RandomGenerator(seed: config.seed &+ 0xD15C)
        let network = Discriminator(latent: config.model.latent, layers: settings.discriminatorLayers,
                                    hidden: settings.discriminatorHidden, rng: &rng)
        return DiscriminatorState(network: network, adam: network.optimizer())
    }

    /// The discriminator's step after the VAE's (Kim & Mnih 2018, Algorithm 2): `real` are the codes
    /// z `[M, Z]` the VAE step decoded; the permuted codes come, as in the paper and 1Konny/FactorVAE,
    /// from a second batch — M training images drawn without replacement with the run's generator
    /// (so a resumed run draws the same ones), encoded by the just-updated encoder, z′ = μ′ + σ′·ε′,
    /// each dimension permuted across the batch on its own. The epoch's schedule is untouched: every
    /// image still passes through the VAE step once per epoch. Costs one encoder forward per step.
    func discriminatorStep(_ state: DiscriminatorState, real: Tensor) -> (loss: Double, accuracy: Double) {
        let positions = rng.sample(real.rows, from: dataset.train.count)
        let second = dataset.train.batch(positions, binarization: binarization, rng: &rng)
        let (mean, logVariance) = model.encode(second.images, labels: conditional ? second.labels : [])
        let codes = Losses.reparameterize(mean: mean, logVariance: logVariance, noise: rng.normalTensor(shape: mean.shape))
        let permuted = DimensionPermutation.draw(rows: codes.rows, columns: codes.columns, rng: &rng).apply(codes)
        Gradients.zero(state.adam.parameters)
        let step = state.network.lossAndGradients(real: real, permuted: permuted)
        state.adam.update()
        return (step.loss, step.accuracy)
    }

    /// The objective's own terms on an evaluated split (`summary`, its posterior): the training
    /// estimators over batches of the training batch size, each batch's value weighted by its size.
    /// z = μ + σ·ε with ε from `seed` (its own stream, so the summary's numbers are unchanged);
    /// β-TCVAE's N is the split's size; FactorVAE's permuted codes are the batch's own (no second
    /// batch: nothing is trained here). Empty for β, capacity and the autoencoder.
    func objectiveTerms(of summary: PosteriorSummary, count: Int, seed: UInt64) -> [Double] {
        let names = config.objective.termNames
        guard !names.isEmpty else { return [] }
        let encoded = summary.encoded
        var rng = RandomGenerator(seed: seed ^ 0x7E_57_7E_57)
        var sums = [Double](repeating: 0, count: names.count)
        for start in stride(from: 0, to: encoded.count, by: config.batchSize) {
            let rows = start..<min(start + config.batchSize, encoded.count)
            let mean = encoded.means.rows(rows), logVariance = encoded.logVariances.rows(rows)
            let code = Losses.reparameterize(mean: mean, logVariance: logVariance, noise: rng.normalTensor(shape: mean.shape))
            let terms: [Double]
            switch config.objective {
            case .beta, .capacity, .deterministic: terms = []
            case .tcvae(let s):
                let e = TotalCorrelationEstimator(datasetSize: max(count, 1), sampling: s.sampling)
                    .forward(mean: mean, logVariance: logVariance, code: code)
                terms = [e.mutualInformation, e.totalCorrelation, e.dimensionWiseKL]
            case .factorVAE:
                let network = discriminator!.network
                let permuted = DimensionPermutation.draw(rows: code.rows, columns: code.columns, rng: &rng).apply(code)
                let judged = network.evaluate(real: code, permuted: permuted)
                terms = [network.totalCorrelation(code), judged.accuracy, judged.loss]
            case .dipVAE(let s):
                let value = DIPPenalty(s).forward(mean: mean, logVariance: logVariance)
                terms = [value.offDiagonal, value.diagonal]
            }
            for j in terms.indices { sums[j] += terms[j] * Double(rows.count) }
        }
        return sums.map { $0 / Double(max(encoded.count, 1)) }
    }
}
