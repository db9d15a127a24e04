import Engine
import Foundation
import Testing
@testable import Analysis

/// UDR (Duan et al. 2020) on models whose latents are known functions of the same sources: models
/// that recover the sources one to one (up to order, sign and monotone maps) rank above models
/// that mix them, without any labels.
@Suite struct UDRTests {
    static let rows = 500
    static let sources = 4

    /// Independent uniform sources `[N][4]`.
    static let truth: [[Float]] = {
        var rng = RandomGenerator(seed: 31)
        return (0..<rows).map { _ in (0..<sources).map { _ in rng.uniform(-1, 1) } }
    }()

    static func model(_ map: ([Float]) -> [Float]) -> Tensor {
        let scalars = truth.flatMap(map)
        return Tensor(shape: [rows, scalars.count / rows], scalars: scalars)
    }

    /// The sources reordered, sign-flipped and bent by monotone maps (Spearman sees none of it).
    static let disentangled = [
        model { $0 },
        model { [-$0[2], $0[0], $0[3] * $0[3] * $0[3], $0[1]] },
        model { [Foundation.exp($0[1]), $0[3], -$0[0], $0[2] / 2] },
    ]

    /// The sources mixed by a rotation of each pair.
    static func mixed(_ angle: Float) -> Tensor {
        let c = cos(angle), s = sin(angle)
        return model { [c * $0[0] - s * $0[1], s * $0[0] + c * $0[1], c * $0[2] - s * $0[3], s * $0[2] + c * $0[3]] }
    }

    static let kl = [[Double]](repeating: [1, 1, 1, 1], count: 5)

    @Test func disentangledSeedsRankAboveEntangledOnes() {
        let result = UDRScore.score(means: Self.disentangled + [Self.mixed(0.6), Self.mixed(-0.5)], klPerDimension: Self.kl)
        print("UDR model scores: \(result.modelScores)")
        // Two permuted copies of the same sources: a one-to-one match but for the sampling noise
        // of the off-diagonal correlations (about 1/√N each).
        #expect(result.pairwise[0][1] > 0.85, "\(result.pairwise[0][1])")
        #expect(result.pairwise[0][3] < 0.75, "\(result.pairwise[0][3])")
        #expect(result.pairwise[0][1] == result.pairwise[1][0] && result.pairwise[2][2] == 0)
        let worstDisentangled = result.modelScores[0..<3].min() ?? 0, bestMixed = result.modelScores[3...].max() ?? 1
        #expect(worstDisentangled > bestMixed + 0.05)
    }

    @Test func latentsWithoutKLAreLeftOut() {
        // A fifth latent of noise: counted, it lowers the match; filtered by its KL, it changes nothing.
        var rng = RandomGenerator(seed: 32)
        let noisy = Self.model { $0 + [rng.normal()] }
        let plain = UDRScore.score(means: Array(Self.disentangled[0..<2]), klPerDimension: [[1, 1, 1, 1], [1, 1, 1, 1]])
        let filtered = UDRScore.score(means: [noisy, Self.disentangled[1]], klPerDimension: [[1, 1, 1, 1, 0.001], [1, 1, 1, 1]])
        let counted = UDRScore.score(means: [noisy, Self.disentangled[1]], klPerDimension: [[1, 1, 1, 1, 0.5], [1, 1, 1, 1]])
        #expect(filtered.informativeLatents[0] == [0, 1, 2, 3])
        #expect(abs(filtered.modelScores[0] - plain.modelScores[0]) < 1e-6)
        #expect(counted.modelScores[0] < plain.modelScores[0] - 0.05, "\(counted.modelScores[0]) vs \(plain.modelScores[0])")
        // A model with no informative latent scores 0 against everything.
        let collapsed = UDRScore.score(means: Array(Self.disentangled[0..<2]), klPerDimension: [[0, 0, 0, 0], [1, 1, 1, 1]])
        #expect(collapsed.modelScores == [0, 0])
    }

    @Test func relativeStrengthAndRanksKnownAnswers() {
        #expect(UDRScore.relativeStrength([[1, 0], [0, 1]]) == 1)
        // Every latent equally related to every other: max²/sum = 1/2 on both axes.
        #expect(UDRScore.relativeStrength([[1, 1], [1, 1]]) == 0.5)
        #expect(UDRScore.relativeStrength([[0, 0], [0, 0]]) == 0)
        // Ties share their mean rank (1.5, 1.5, 3), centred and scaled to unit norm.
        let ranks = UDRScore.standardisedRanks(Tensor(shape: [3, 1], scalars: [5, 5, 7]), columns: [0])
        let expected: [Float] = [-0.5, -0.5, 1].map { $0 / Float(1.5).squareRoot() }
        #expect(zip(ranks.scalars, expected).allSatisfy { abs($0 - $1) < 1e-6 }, "\(ranks.scalars)")
        #expect(UDRScore.median([3, 1, 2]) == 2 && UDRScore.median([4, 1, 3, 2]) == 2.5)
    }
}
