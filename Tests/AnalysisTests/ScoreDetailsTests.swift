import Datasets
import Engine
import Foundation
import Models
import Testing
@testable import Analysis

/// What the disentanglement section states beside its scores: inactive latents, sample sizes,
/// spread over evaluation seeds, scores on sampled z, and fresh observations drawn from the
/// factor space. Small samples, so debug builds stay fast.
@Suite struct ScoreDetailsTests {
    static let sizes = [3, 4, 5]
    static let names = ["a", "b", "c"]
    static let rows = 1_500

    static let factors: [Int] = {
        var rng = RandomGenerator(seed: 21)
        return (0..<rows).flatMap { _ in sizes.map { Int(rng.next() % UInt64($0)) } }
    }()

    /// Codes `[N, Z]` from each row's classes.
    static func code(_ map: ([Float], inout RandomGenerator) -> [Float]) -> Tensor {
        var rng = RandomGenerator(seed: 22)
        var scalars: [Float] = []
        for row in 0..<rows { scalars += map((0..<sizes.count).map { Float(factors[row * sizes.count + $0]) }, &rng) }
        return Tensor(shape: [rows, scalars.count / rows], scalars: scalars)
    }

    static func options(seed: UInt64 = 3) -> CodeScores.Options {
        var options = CodeScores.Options()
        options.seed = seed
        options.supervisedTrainPoints = 40
        options.supervisedEvalPoints = 20
        options.supervisedBatch = 8
        options.varianceSamples = 200
        options.sapKind = .continuous
        options.dciEstimator = .tree   // the boosted trees are checked against scikit-learn in DlibParityTests
        return options
    }

    /// z1 barely moves (variance 1e-6 · Var b < 0.01) but tracks b exactly: binned over its own tiny
    /// range it carries b's full information, and the default keys read it so, as
    /// disentanglement_lib does; marked inactive, the masked keys give it zero information, so b has
    /// no latent (its MIG gap is 0) and z1 is not modular.
    @Test func aConstantLatentIsMarkedInactiveAndZeroedOnlyInTheMaskedKeys() {
        let codes = Self.code { f, _ in [f[0], 0.001 * f[1], f[2]] }
        #expect(LatentUsage.inactive(means: codes) == [1])
        let unmarked = CodeScores.score(codes: codes, factors: Self.factors, names: Self.names, options: Self.options())
        #expect(unmarked.mutualInformation[1][1] > 1, "binning the tiny range reads b: \(unmarked.mutualInformation[1])")
        var options = Self.options()
        options.inactive = Set(LatentUsage.inactive(means: codes))
        let marked = CodeScores.score(codes: codes, factors: Self.factors, names: Self.names, options: options)
        #expect(marked.inactiveLatents == [1])
        #expect(zip(marked.mutualInformation, unmarked.mutualInformation).allSatisfy { zip($0, $1).allSatisfy { abs($0 - $1) < 1e-12 } })
        #expect(marked.mutualInformation[0][0] > 1 && marked.mutualInformation[2][2] > 1.5)
        for key in ["mig", "modularity"] {
            #expect(marked.scores[key] == unmarked.scores[key], "the default key is disentanglement_lib's: \(key)")
            #expect(unmarked.scores[key + "_masked"] == nil)
        }
        let mig = marked.scores["mig"] ?? .nan, masked = marked.scores["mig_masked"] ?? .nan
        #expect(mig > 0.9 && abs(masked - mig * 2 / 3) < 0.05, "b loses its latent: \(mig) → \(masked)")
        let modularity = marked.scores["modularity"] ?? .nan, modularityMasked = marked.scores["modularity_masked"] ?? .nan
        #expect(modularity > 0.9 && abs(modularityMasked - modularity * 2 / 3) < 0.05, "z1 scores 0: \(modularity) → \(modularityMasked)")
        #expect(!marked.inactiveLatents.contains(0) && !marked.inactiveLatents.contains(2))
    }

    /// A pool that counts what the metrics ask of it and checks that pinned factors come back pinned.
    final class CountingSampler: FactorSampler, @unchecked Sendable {
        let pool: FactorCodes
        var observed = 0
        var pinnedHonoured = true
        init(_ pool: FactorCodes) { self.pool = pool }
        var latent: Int { pool.latent }
        var sizes: [Int] { pool.sizes }
        var source: String { "counted" }
        func observe(_ requests: [[Int?]], rng: inout RandomGenerator) -> (encoded: EncodedSet, classes: [Int]) {
            let result = pool.observe(requests, rng: &rng)
            observed += requests.count
            for (row, request) in requests.enumerated() {
                for (f, value) in request.enumerated() where value != nil && result.classes[row * sizes.count + f] != value { pinnedHonoured = false }
            }
            return result
        }
        func randomValue(factor f: Int, _ rng: inout RandomGenerator) -> Int { pool.randomValue(factor: f, &rng) }
    }

    @Test func sampleSizesStatedAreTheSizesUsed() {
        let codes = Self.code { f, _ in f }
        let pool = FactorCodes(codes: codes, classes: Self.factors, sizes: Self.sizes, names: Self.names)
        let sampler = CountingSampler(pool)
        let o = Self.options()
        let train = Observations(pool: pool, rows: Array(0..<600)), test = Observations(pool: pool, rows: Array(600..<900))
        let card = CodeScores.score(sampler: sampler, train: train, test: test, names: Self.names, sampled: false, options: o)
        // BetaVAE: two observations per pair; FactorVAE: one per vote's batch member, plus its scale's sample.
        let points = o.supervisedTrainPoints + o.supervisedEvalPoints
        #expect(sampler.observed == 2 * points * o.supervisedBatch + points * o.supervisedBatch + o.varianceSamples)
        #expect(sampler.pinnedHonoured)
        #expect(card.trainRows == 600 && card.testRows == 300)
        #expect(card.settings["beta_vae"]?.contains("40 training and 20 evaluation points of 8 observations") == true, "\(card.settings)")
        #expect(card.settings["factor_vae"]?.contains("from 200 observations") == true)
        #expect(card.settings["mig"]?.contains("20 equal-width bins") == true && card.settings["mig"]?.contains("600 points") == true)
        #expect(card.settings["dci_disentanglement"]?.contains("fitted on 600 points, tested on 300") == true)
        let details = DisentanglementMetrics.combine([card], options: o, totalCorrelation: nil, seconds: [:]).details
        #expect(details?.sampleSizes == ["representationTrain": 600, "representationTest": 300, "supervisedTrain": 40, "supervisedEval": 20,
                                         "supervisedBatch": 8, "varianceSamples": 200, "bins": 20])
        #expect(card.accuracies["beta_vae"].map { $0.train > 0.9 && $0.evaluation > 0.9 } == true, "\(card.accuracies)")
    }

    /// A random code scored with three evaluation seeds: the scores move, so the spread is > 0.
    @Test func spreadOverEvaluationSeedsIsPositiveForARandomCode() {
        let codes = Self.code { _, rng in [rng.normal(), rng.normal(), rng.normal()] }
        let cards = (0..<3).map { CodeScores.score(codes: codes, factors: Self.factors, names: Self.names, options: Self.options(seed: UInt64($0))) }
        let d = DisentanglementMetrics.combine(cards, options: Self.options(), totalCorrelation: nil, seconds: [:])
        let spread = d.details?.spread ?? [:]
        for key in ["beta_vae", "mig", "sap", "dci_disentanglement", "modularity"] {
            #expect((spread[key] ?? 0) > 0, "\(key) spread \(spread[key] ?? .nan)")
        }
        let mean = cards.map { $0.scores["mig"] ?? 0 }.reduce(0, +) / 3
        #expect(abs((d.mig ?? -1) - mean) < 1e-12)
        #expect(d.details?.repeats == 3)
    }

    /// The sampled representation adds σ·ε: with σ ≈ 0 it scores as the means do, with σ = 3 on
    /// unit-spaced classes MIG falls.
    @Test func sampledZUsesThePosteriorSpread() {
        let codes = Self.code { f, _ in f }
        func card(logVariance: Float) -> CodeScores.Card {
            CodeScores.score(codes: codes, logVariances: Tensor(shape: [Self.rows, 3], repeating: logVariance), factors: Self.factors,
                             names: Self.names, options: Self.options())
        }
        let sharp = card(logVariance: -30), wide = card(logVariance: Float(2 * log(3.0)))
        #expect(abs((sharp.sampledScores?["mig"] ?? 0) - (sharp.scores["mig"] ?? 1)) < 0.02, "\(sharp.sampledScores ?? [:]) vs \(sharp.scores)")
        #expect((wide.sampledScores?["mig"] ?? 1) < (wide.scores["mig"] ?? 0) - 0.4, "\(wide.sampledScores ?? [:]) vs \(wide.scores)")
        #expect(CodeScores.score(codes: codes, factors: Self.factors, names: Self.names, options: Self.options()).sampledScores == nil)
    }

    /// On sprites the metrics draw fresh images of the requested classes: pinned classes are kept,
    /// the codes are the model's encodings of those very images, and evaluation.json's details say so.
    @Test func spritesAreDrawnFreshFromTheFactorSpace() throws {
        var options = DatasetOptions()
        options.limit = 50
        options.testLimit = 20
        let dataset = try DatasetCatalog.load("sprites", options: options)
        var rng = RandomGenerator(seed: 4)
        let model = VAE(spec: ModelSpec(architecture: .mlp, imageShape: [1, 64, 64], hidden: [8], latent: 3), rng: &rng)
        let generator = try #require(GeneratedObservations(model: model, dataset: dataset, binarization: .none))
        let requests: [[Int?]] = (0..<6).map { [nil, $0 % 3, nil, nil, 7, nil] }
        let drawn = generator.observe(requests, rng: &rng)
        for row in 0..<6 {
            let classes = Array(drawn.classes[(row * 6)..<((row + 1) * 6)])
            #expect(classes[1] == row % 3 && classes[4] == 7)
            let image = SpriteImageSet(indices: [SpriteGrid.index(of: classes)]).batch([0])
            let mean = model.encode(image, labels: []).0
            // The same image encoded alone: equal up to the last bits a batch's sgemm blocking moves.
            #expect(zip(mean.scalars, drawn.encoded.means.scalars[(row * 3)..<((row + 1) * 3)]).allSatisfy { abs($0 - $1) < 1e-5 })
        }
        #expect(Set((0..<6).map { drawn.classes[$0 * 6 + 3] }).count > 1, "free factors are drawn")
        var small = Self.options()
        small.trainLimit = 60
        small.testLimit = 30
        small.supervisedTrainPoints = 4
        small.supervisedEvalPoints = 2
        small.supervisedBatch = 4
        small.varianceSamples = 20
        let encodedTest = PosteriorPass(model: model, set: dataset.test, binarization: .none, seed: 1).encode()
        let d = try #require(DisentanglementMetrics.scores(model: model, dataset: dataset, encodedTest: encodedTest, seed: 9,
                                                           generatedOptions: small, repeats: 2))
        let details = try #require(d.details)
        #expect(details.source == "fresh images drawn from the factor space")
        #expect(details.repeats == 2)
        #expect(details.sampleSizes["representationTrain"] == 60 && details.sampleSizes["representationTest"] == 30)
        #expect(details.sampleSizes["supervisedTrain"] == 4 && details.sampleSizes["supervisedBatch"] == 4)
        #expect(Set(details.sampled.keys) == Set(CodeScores.representationKeys))
        #expect(d.factorNames == ["shape", "scale", "orientation", "posX", "posY"])
    }
}
