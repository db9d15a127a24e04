import Analysis
import Datasets
import Engine
import Foundation
import Models

/// IWAE and PCA (issue 5) and the disentanglement metrics (issue 6). Timings do not depend on the
/// weights, so freshly initialised models stand in for trained ones.
enum AnalysisBench {
    static func run() {
        print("== analysis")
        guard let fashion = try? DatasetCatalog.load("fashion-mnist", options: DatasetOptions()) else {
            row("IWAE", "Fashion-MNIST not installed (make setup)")
            return
        }
        var rng = RandomGenerator(seed: 0)
        let mlp = VAE(spec: ModelSpec(architecture: .mlp, imageShape: [1, 28, 28], hidden: [400], latent: 20), rng: &rng)
        var start = Date()
        let estimate = HeldOutLikelihood.estimate(pass: PosteriorPass(model: mlp, set: fashion.test, binarization: .none, seed: 0),
                                                  samples: 1000, seed: 1)
        let iwaeSeconds = Date().timeIntervalSince(start)
        row("IWAE K = 1,000 over 10,000 test images (mlp)", String(format: "%7.1f s  (%.1f TFLOP of decoder work, %.0f GFLOPS)",
                                                                    iwaeSeconds, 6.43, 6.43e3 / iwaeSeconds))
        _ = estimate
        let means = rng.normalTensor(shape: [10_000, 20])
        let pcaSeconds = Timing.median(repeats: 20) { _ = try? PCA(fitting: means, components: 2) }
        row("PCA of 10,000 × 20 means (LAPACK ssyevd)", String(format: "%7.2f ms", pcaSeconds * 1e3))

        guard let sprites = try? DatasetCatalog.load("sprites", options: DatasetOptions()) else { return }
        let burgess = VAE(spec: ModelSpec(architecture: .burgess, imageShape: [1, 64, 64], latent: 10), rng: &rng)
        start = Date()
        let encoded = PosteriorPass(model: burgess, set: ImageSubset(sprites.train, positions: Array(0..<DisentanglementMetrics.poolSize)),
                                    binarization: .none, seed: 0).encode()
        let encodeSeconds = Date().timeIntervalSince(start)
        row("encode the 30,000-image pool (burgess, sprites)", String(format: "%7.1f s", encodeSeconds))
        let factors = SpriteGrid.table
        let classes = (0..<encoded.count).flatMap { sprites.train.factorClasses($0) }
        let data = FactorCodes(codes: encoded.means, classes: classes, sizes: factors.sizes, names: factors.names)
        let varying = [1, 2, 3, 4, 5]
        start = Date()
        _ = SupervisedScores.betaVAE(data, factors: varying)
        row("BetaVAE score (10,000 / 5,000 points), after encoding", String(format: "%7.1f s", Date().timeIntervalSince(start)))
        start = Date()
        _ = SupervisedScores.factorVAE(data, factors: varying)
        row("FactorVAE score (10,000 / 5,000 points), after encoding", String(format: "%7.1f s", Date().timeIntervalSince(start)))
        start = Date()
        let sample = encoded.means.rows(0..<10_000)
        let columns = varying.map { f in (0..<10_000).map { data.factor($0, f) } }
        _ = InformationScores.mig(matrix: InformationScores.mutualInformationMatrix(codes: sample, factors: columns), factors: columns)
        row("MIG (10,000 points, 20 bins), after encoding", String(format: "%7.2f s", Date().timeIntervalSince(start)))
    }
}
