import Engine
import Foundation
import Testing
@testable import Analysis

/// The metrics on synthetic codes with known structure (the checks that catch the indexing and
/// entropy bugs reported against other implementations, YannDubs/disentangling-vae #52, #64).
@Suite struct DisentanglementTests {
    static let sizes = [3, 6, 8, 10, 20]

    /// A pool of `count` images with uniformly random factor classes.
    static func factorClasses(count: Int, seed: UInt64) -> [Int] {
        var rng = RandomGenerator(seed: seed)
        return (0..<count).flatMap { _ in sizes.map { Int(rng.next() % UInt64($0)) } }
    }

    /// Codes `[N, Z]` from the factor classes through `map` (which sees the classes scaled to [0, 1]).
    static func codes(_ classes: [Int], latent: Int, seed: UInt64, _ map: ([Float], inout RandomGenerator) -> [Float]) -> FactorCodes {
        var rng = RandomGenerator(seed: seed)
        let n = classes.count / sizes.count
        var tensor = Tensor(shape: [n, latent])
        for i in 0..<n {
            let scaled = sizes.indices.map { Float(classes[i * sizes.count + $0]) / Float(sizes[$0] - 1) }
            let code = map(scaled, &rng)
            for j in 0..<latent { tensor[i * latent + j] = code[j] }
        }
        return FactorCodes(codes: tensor, classes: classes, sizes: sizes, names: ["a", "b", "c", "d", "e"])
    }

    static let classes = factorClasses(count: 20_000, seed: 1)
    static let factors = Array(0..<5)
    let small = (train: 2_000, eval: 1_000)

    func scores(_ data: FactorCodes) -> (betaVAE: Double, factorVAE: Double, mig: Double) {
        let columns = Self.factors.map { f in (0..<data.count).map { data.factor($0, f) } }
        let sample = data.codes.rows(0..<10_000)
        let sampleColumns = columns.map { Array($0.prefix(10_000)) }
        let matrix = InformationScores.mutualInformationMatrix(codes: sample, factors: sampleColumns)
        return (SupervisedScores.betaVAE(data, factors: Self.factors, trainPoints: small.train, evalPoints: small.eval, seed: 3).evaluation,
                SupervisedScores.factorVAE(data, factors: Self.factors, trainPoints: small.train, evalPoints: small.eval, seed: 3).evaluation,
                InformationScores.mig(matrix: matrix, factors: sampleColumns))
    }

    /// Each latent a monotone function of one factor, two nuisance latents at zero.
    @Test func perfectCodeScoresHigh() {
        let data = Self.codes(Self.classes, latent: 7, seed: 2) { f, _ in [3 * f[0], f[1] * f[1] * 2, -f[2], 4 * f[3] + 1, f[4], 0, 0] }
        let s = scores(data)
        #expect(s.betaVAE >= 0.95, "BetaVAE \(s.betaVAE)")
        #expect(s.factorVAE >= 0.95, "FactorVAE \(s.factorVAE)")
        #expect(s.mig >= 0.9, "MIG \(s.mig)")
    }

    /// Latents that ignore the factors: chance-level scores.
    @Test func randomCodeScoresNearChance() {
        let data = Self.codes(Self.classes, latent: 7, seed: 4) { _, rng in (0..<7).map { _ in rng.normal() } }
        let s = scores(data)
        #expect(abs(s.factorVAE - 0.2) < 0.06, "FactorVAE \(s.factorVAE) should be near 1/5")
        #expect(s.betaVAE < 0.35, "BetaVAE \(s.betaVAE)")
        #expect(s.mig < 0.02, "MIG \(s.mig)")
    }

    /// Factors a and b mixed by a 45° rotation, the rest perfect: in between.
    @Test func rotatedCodeScoresInBetween() {
        let data = Self.codes(Self.classes, latent: 5, seed: 5) { f, _ in
            [(f[0] + f[1]) * 0.7071, (f[0] - f[1]) * 0.7071, f[2], f[3], f[4]]
        }
        let perfect = scores(Self.codes(Self.classes, latent: 5, seed: 5) { f, _ in Array(f) })
        let mixed = scores(data)
        #expect(mixed.mig < perfect.mig - 0.15 && mixed.mig > 0.2, "MIG mixed \(mixed.mig) vs perfect \(perfect.mig)")
        #expect(mixed.factorVAE < perfect.factorVAE, "FactorVAE mixed \(mixed.factorVAE) vs perfect \(perfect.factorVAE)")
        #expect(mixed.factorVAE > 0.4)
    }

    @Test func mutualInformationAndEntropyKnownAnswers() {
        let a = [0, 0, 1, 1], b = [0, 0, 1, 1], c = [0, 1, 0, 1]
        #expect(abs(InformationScores.entropy(a) - log(2)) < 1e-12)
        #expect(abs(InformationScores.mutualInformation(a, b) - log(2)) < 1e-12)
        #expect(abs(InformationScores.mutualInformation(a, c)) < 1e-12)
        #expect(InformationScores.discretize(Tensor(shape: [3, 1], scalars: [0, 0.5, 1]), bins: 20)[0] == [0, 10, 19])
    }

    @Test func gaussianTotalCorrelationKnownAnswer() throws {
        // Two standard normals with correlation ρ: TC = −½ log(1 − ρ²).
        var rng = RandomGenerator(seed: 6)
        let rho: Float = 0.8
        var codes = Tensor(shape: [50_000, 2])
        for n in 0..<50_000 {
            let a = rng.normal(), b = rng.normal()
            codes[n * 2] = a
            codes[n * 2 + 1] = rho * a + (1 - rho * rho).squareRoot() * b
        }
        let tc = try InformationScores.gaussianTotalCorrelation(codes)
        #expect(abs(tc - (-0.5 * log(1 - 0.64))) < 0.02)
        #expect(abs(try InformationScores.gaussianTotalCorrelation(Tensor(shape: [4, 2], scalars: [1, 0, -1, 0, 0, 1, 0, -1]))) < 1e-6)
    }

    @Test func logisticRegressionSeparatesClasses() {
        var rng = RandomGenerator(seed: 7)
        var x = Tensor(shape: [300, 2]), y: [Int] = []
        for n in 0..<300 {
            let label = n % 3
            y.append(label)
            x[n * 2] = Float(label) * 4 + rng.normal()
            x[n * 2 + 1] = rng.normal()
        }
        let model = LogisticRegression(features: x, labels: y)
        #expect(model.accuracy(x, y) > 0.95)
    }
}
