import Datasets
import Engine
import Foundation
import Testing
@testable import Analysis

/// What the report says each latent does: the factor it tracks (traversal rows, latent table) and
/// its response to each factor (latent-response figure), on codes whose answer is known.
@Suite struct LatentRoleTests {
    /// z0 = 3·c, z1 = b, z2 = noise, z3 = 0.001·a (barely moves: inactive).
    @Test func aCodeEqualToAFactorIsLabelledWithThatFactor() {
        let codes = ScoreDetailsTests.code { f, rng in [3 * f[2], f[1], rng.normal(), 0.001 * f[0]] }
        var options = ScoreDetailsTests.options()
        options.inactive = Set(LatentUsage.inactive(means: codes))
        let card = CodeScores.score(codes: codes, factors: ScoreDetailsTests.factors, names: ScoreDetailsTests.names, options: options)
        let d = DisentanglementMetrics.combine([card], options: options, totalCorrelation: nil, seconds: [:])
        #expect(d.trackedFactor(0)?.name == "c" && d.trackedFactor(1)?.name == "b")
        #expect((d.trackedFactor(1)?.normalized ?? 0) > 0.95, "\(String(describing: d.trackedFactor(1)))")
        #expect((d.trackedFactor(2)?.normalized ?? 1) < 0.05, "noise tracks nothing much: \(String(describing: d.trackedFactor(2)))")
        #expect(d.trackedFactor(3) == nil)
        let inactive = Set(d.inactiveLatents ?? [])
        #expect(inactive == [3])
        #expect(d.role(0, inactive: inactive).hasPrefix("c ("))
        #expect(d.role(1, inactive: inactive) == String(format: "b (%.2f)", d.trackedFactor(1)?.normalized ?? 0))
        #expect(d.role(3, inactive: inactive) == "inactive")
    }

    /// A latent equal to posX's value responds to posX along a straight line (slope 1 through the
    /// factor's values) and is flat against a factor it ignores; a latent equal to scale² bends.
    @Test func theResponseOfACodeEqualToAFactorIsAStraightLine() throws {
        let set = try DatasetCatalog.load("sprites", options: DatasetOptions(limit: 3_000, testLimit: 10)).train
        let table = try #require(set.factors)
        let classes = (0..<set.count).flatMap { set.factorClasses($0) }
        var means = Tensor(shape: [set.count, 2])
        for row in 0..<set.count {
            let c = set.factorClasses(row)
            means[row * 2] = table.values[4][c[4]]
            means[row * 2 + 1] = table.values[2][c[2]] * table.values[2][c[2]]
        }
        let curves = LatentResponse.curves(means: means, classes: classes, sizes: table.sizes)
        let posX = curves[4][0].map { $0 ?? .nan }
        #expect(posX.count == 32)
        for v in 0..<32 { #expect(abs(posX[v] - Double(table.values[4][v])) < 1e-6) }
        let steps = zip(posX.dropFirst(), posX).map { $0 - $1 }
        #expect(steps.allSatisfy { abs($0 - 1.0 / 31) < 1e-6 }, "equal steps: a straight line")
        // Against orientation, z0 is flat up to sampling noise (≈ 0.5 on average everywhere).
        let flat = curves[3][0].compactMap { $0 }
        #expect(flat.allSatisfy { abs($0 - 0.5) < 0.15 }, "\(flat)")
        let bent = curves[2][1].compactMap { $0 }
        let bends = zip(zip(bent.dropFirst(2), bent.dropFirst()), bent).map { $0.0 - 2 * $0.1 + $1 }
        #expect(bends.allSatisfy { $0 > 0.019 }, "scale² curves upwards: \(bends)")
    }
}
