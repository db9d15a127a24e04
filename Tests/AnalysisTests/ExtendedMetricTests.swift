import Engine
import Foundation
import Testing
@testable import Analysis

/// The metrics after disentanglement_lib (DCI-ES, InfoMEC, MIG-sup, IRS) on codes of known
/// structure — identity, rotated, random, duplicated latents — each asserting what its paper says
/// the code should score. Small N, seeded, so debug builds stay fast.
@Suite struct ExtendedMetricTests {
    static let sizes = [2, 4, 6, 10]
    static let rows = 1_200

    /// `factors[f][n]`: uniformly random classes.
    static let factors: [[Int]] = {
        var rng = RandomGenerator(seed: 21)
        let table = (0..<rows).map { _ in sizes.map { Int(rng.next() % UInt64($0)) } }
        return sizes.indices.map { f in table.map { $0[f] } }
    }()

    /// Codes `[N, Z]` row-major from each row's classes through `map`.
    static func code(_ map: ([Float], inout RandomGenerator) -> [Float]) -> (scalars: [Float], latent: Int) {
        var rng = RandomGenerator(seed: 22)
        var scalars: [Float] = []
        var latent = 0
        for row in 0..<rows {
            let values = map(sizes.indices.map { Float(factors[$0][row]) }, &rng)
            latent = values.count
            scalars += values
        }
        return (scalars, latent)
    }

    static let identity = code { f, _ in f }
    /// The last two factors mixed by a 45° rotation.
    static let rotated = code { f, _ in
        let c = Float(0.5).squareRoot()
        return [f[0], f[1], c * f[2] - c * f[3], c * f[2] + c * f[3]]
    }
    static let random = code { _, rng in (0..<4).map { _ in rng.normal() } }
    /// Every latent twice.
    static let duplicated = code { f, _ in f + f }

    static func matrix(_ c: (scalars: [Float], latent: Int)) -> [[Double]] {
        InformationScores.mutualInformationMatrix(codes: Tensor(shape: [rows, c.latent], scalars: c.scalars), factors: factors)
    }

    static let entropies = factors.map(InformationScores.entropy)

    /// Train on the first two thirds, test on the rest.
    static func dcies(_ c: (scalars: [Float], latent: Int)) -> DCIESScores.Result {
        let cut = rows * 2 / 3
        return DCIESScores.score(train: Array(c.scalars[0..<(cut * c.latent)]), trainFactors: factors.map { Array($0[0..<cut]) },
                                 test: Array(c.scalars[(cut * c.latent)...]), testFactors: factors.map { Array($0[cut...]) }, latent: c.latent)
    }

    @Test func dciESExplicitnessRanksIdentityAboveRotatedAboveRandomAndSizeCountsLatents() {
        let identity = Self.dcies(Self.identity), rotated = Self.dcies(Self.rotated)
        let random = Self.dcies(Self.random), duplicated = Self.dcies(Self.duplicated)
        print("DCI-ES E: identity \(identity.explicitness) \(identity.perFactor), rotated \(rotated.explicitness), random \(random.explicitness), duplicated \(duplicated.explicitness)")
        // A binary factor on its own latent: one split reads it, so the curve is 0.5·ℓ_b then 0
        // over 8 depths: E = 1 − 0.5/8.
        #expect(abs(identity.perFactor[0] - (1 - 0.5 / 8)) < 1e-9, "\(identity.perFactor)")
        // A factor of 2^k classes needs k splits: E_f falls with the class count.
        #expect(identity.perFactor[0] > identity.perFactor[1] && identity.perFactor[1] > identity.perFactor[3])
        #expect(identity.explicitness > rotated.explicitness + 0.05)
        // Mixed factors need deeper trees, but a tree still reads them: above noise.
        #expect(rotated.explicitness > random.explicitness + 0.2)
        #expect(random.explicitness < 0.05, "noise: no probe beats the baseline")
        // Trees never pick the copy (ties go to the lower latent): duplicating changes nothing.
        #expect(abs(duplicated.explicitness - identity.explicitness) < 1e-12)
        #expect(identity.size == 1 && rotated.size == 1 && duplicated.size == 0.5)
        #expect(DCIESScores.size(factors: 4, latent: 2) == 2)
    }

    /// disentanglement_lib's explicitness (Ridgeway & Mozer): a linear read-out, so a rotation
    /// changes little and a duplicate nothing the model cannot undo; noise sits at chance (AUC ½).
    @Test func ridgewayMozerExplicitnessIsLinearReadability() {
        let cut = Self.rows * 2 / 3
        func score(_ c: (scalars: [Float], latent: Int)) -> ExplicitnessScore.Result {
            ExplicitnessScore.score(train: Array(c.scalars[0..<(cut * c.latent)]), trainFactors: Self.factors.map { Array($0[0..<cut]) },
                                    test: Array(c.scalars[(cut * c.latent)...]), testFactors: Self.factors.map { Array($0[cut...]) },
                                    latent: c.latent)
        }
        let identity = score(Self.identity), rotated = score(Self.rotated)
        let random = score(Self.random), duplicated = score(Self.duplicated)
        print("explicitness: identity \(identity.test) \(identity.perFactorTest), rotated \(rotated.test), random \(random.test), duplicated \(duplicated.test)")
        // A binary factor on its own latent: the probability rises with it (the other latents' small
        // weights barely reorder the points), AUC ≈ 1.
        #expect(identity.perFactorTest[0] > 0.999 && identity.perFactorTrain[0] > 0.999, "\(identity.perFactorTest)")
        // Ordinal classes on one latent: each class's softmax probability peaks on its own interval.
        #expect(identity.test > 0.95 && identity.test <= 1)
        // The mixed pair is a rotation: a linear model still reads both factors.
        #expect(rotated.test > 0.9 && abs(rotated.test - identity.test) < 0.05)
        #expect(abs(random.test - 0.5) < 0.05, "noise: chance")
        #expect(abs(duplicated.test - identity.test) < 0.01)
        #expect(ExplicitnessScore.rocAUC(scores: [0.1, 0.4, 0.35, 0.8], positives: [false, false, true, true]) == 0.75)
        #expect(ExplicitnessScore.rocAUC(scores: [0.5, 0.5], positives: [false, true]) == 0.5)
        #expect(ExplicitnessScore.rocAUC(scores: [0.5, 0.5], positives: [true, true]) == nil)
    }

    @Test func explicitnessOfACurveIsOneMinusItsAreaOverTheBaselineRectangle() {
        // Flat at the baseline: nothing read out.
        #expect(DCIESScores.explicitness(curve: [0.5, 0.5, 0.5]) == 0)
        // Straight to 0 at capacity 1 of 2: area 0.25 of 1.0.
        #expect(abs(DCIESScores.explicitness(curve: [0.5, 0, 0]) - 0.75) < 1e-12)
        // Linear descent: half the rectangle.
        #expect(abs(DCIESScores.explicitness(curve: [1, 0.5, 0]) - 0.5) < 1e-12)
    }

    static func infomec(_ c: (scalars: [Float], latent: Int)) -> InfoMECScores.Result {
        InfoMECScores.score(codes: c.scalars, latent: c.latent, factors: factors, matrix: matrix(c))
    }

    @Test func infoMECOnKnownCodes() {
        let identity = Self.infomec(Self.identity), rotated = Self.infomec(Self.rotated)
        let random = Self.infomec(Self.random), duplicated = Self.infomec(Self.duplicated)
        for (name, r) in [("identity", identity), ("rotated", rotated), ("random", random), ("duplicated", duplicated)] {
            print("InfoMEC \(name): M \(r.infoM) C \(r.infoC) E \(r.infoE)")
        }
        // Each latent informs one factor and each factor one latent.
        #expect(identity.infoM > 0.95 && identity.infoC > 0.95)
        // Every class of every factor is an interval of its own latent: a linear softmax reads it.
        #expect(identity.infoE > 0.8)
        // Rotation shares two factors between two latents: modularity and compactness fall.
        #expect(rotated.infoM < identity.infoM - 0.1 && rotated.infoC < identity.infoC - 0.1)
        // Noise carries no information: near chance everywhere.
        #expect(random.infoE < 0.05 && random.infoM < 0.5)
        // A duplicated latent stays modular but each factor now lives in two latents: InfoC at
        // most 1/2 of the way from chance (1/8) to 1 → (1/2 − 1/8)/(1 − 1/8) ≈ 0.43.
        #expect(duplicated.infoM > 0.95)
        #expect(abs(duplicated.infoC - (0.5 - 1.0 / 8) / (1 - 1.0 / 8)) < 0.05, "\(duplicated.infoC)")
        #expect(abs(duplicated.infoE - identity.infoE) < 0.1)
    }

    @Test func infoMECPrunesLatentsOfTinyRange() {
        // A fifth latent spanning 1/100 of the others' range is not active.
        let c = Self.code { f, rng in f + [0.09 * rng.uniform()] }
        #expect(InfoMECScores.activeLatents(codes: c.scalars, latent: 5) == [0, 1, 2, 3])
        #expect(InfoMECScores.activeLatents(codes: c.scalars, latent: 5, inactive: [1]) == [0, 2, 3])
    }

    @Test func migSupRewardsDuplicatesThatMIGPenalisesAndPenalisesMixingThatMIGMisses() {
        let identity = MIGSupScore.score(matrix: Self.matrix(Self.identity), factorEntropies: Self.entropies)
        let rotated = MIGSupScore.score(matrix: Self.matrix(Self.rotated), factorEntropies: Self.entropies)
        let random = MIGSupScore.score(matrix: Self.matrix(Self.random), factorEntropies: Self.entropies)
        let duplicated = MIGSupScore.score(matrix: Self.matrix(Self.duplicated), factorEntropies: Self.entropies)
        // One latent for factors 0 and 1 together (z = f0 + 2·f1), the others as they are.
        let joint = Self.code { f, _ in [f[0] + 2 * f[1], f[2], f[3]] }
        let mixed = MIGSupScore.score(matrix: Self.matrix(joint), factorEntropies: Self.entropies)
        print("MIG-sup: identity \(identity), rotated \(rotated), random \(random), duplicated \(duplicated), two factors in one latent \(mixed)")
        #expect(identity > 0.95)
        #expect(abs(duplicated - identity) < 1e-12, "every copy has the same gap")
        #expect(rotated < identity - 0.1)
        #expect(random < 0.05)
        // The joint latent's two entries are both 1 (it determines both factors): its gap is 0.
        #expect(mixed < identity - 0.25, "\(mixed)")
        // MIG itself halves for no duplicated factor here but drops to 0 with every latent twice.
        #expect(InformationScores.mig(matrix: Self.matrix(Self.duplicated), factors: Self.factors) < 0.01)
    }

    @Test func irsOnKnownCodes() {
        func irs(_ c: (scalars: [Float], latent: Int)) -> IRSScore.Result {
            IRSScore.score(codes: c.scalars, latent: c.latent, factors: Self.factors)
        }
        let identity = irs(Self.identity), rotated = irs(Self.rotated), random = irs(Self.random), duplicated = irs(Self.duplicated)
        print("IRS: identity \(identity.score), rotated \(rotated.score), random \(random.score), duplicated \(duplicated.score)")
        // Holding a factor fixes its latent exactly.
        #expect(abs(identity.score - 1) < 1e-12)
        #expect(abs(duplicated.score - 1) < 1e-12, "IRS does not penalise duplicates")
        #expect(rotated.score < 0.9 && rotated.score > random.score + 0.1)
        // Gaussian noise: the 99th percentile of |z − mean| over the largest deviation.
        #expect(random.score > 0.1 && random.score < 0.4, "\(random.score)")
        // A constant latent is dropped, not scored.
        let constant = irs(Self.code { f, _ in f + [3] })
        #expect(constant.activeLatents == [0, 1, 2, 3] && abs(constant.score - 1) < 1e-12)
    }

    @Test func irsPercentileInterpolatesAsNumpy() {
        var values: [Double] = [4, 1, 3, 2, 5]
        // numpy.quantile([1,2,3,4,5], 0.99) = 4.96
        #expect(abs(IRSScore.percentile(&values, 0.99) - 4.96) < 1e-12)
        #expect(IRSScore.bin([0, 1, 2, 3], bins: 20) == [0, 6, 13, 19])
    }
}

extension ExtendedMetricTests {
    @Test func infoEIsAtTheRegressionsOptimumAndRisesAsItsPenaltyFalls() {
        let c = Self.identity
        let standard = InfoMECScores.explicitness(codes: c.scalars, latent: c.latent, factors: Self.factors)
        let looser = InfoMECScores.explicitness(codes: c.scalars, latent: c.latent, factors: Self.factors, c: 100)
        let tighter = InfoMECScores.explicitness(codes: c.scalars, latent: c.latent, factors: Self.factors, c: 0.01)
        print("InfoE identity: C = 0.01 \(tighter), C = 1 \(standard), C = 100 \(looser)")
        // At each penalty's optimum, less penalty fits the training points better: a lower log loss,
        // a higher InfoE; never above 1.
        #expect(tighter < standard && standard < looser && looser <= 1, "\(tighter) \(standard) \(looser)")
        // The regressions reach their optimum: the gradient's largest entry is below the stopping rule.
        let n = Self.factors[0].count
        let standardised = Tensor(shape: [n, c.latent], scalars: InfoMECScores.standardise(c.scalars, rows: n, latent: c.latent))
        for labels in Self.factors {
            let model = LogisticRegression(features: standardised, labels: labels)
            #expect(model.gradientNorm < 1e-6, "\(model.gradientNorm) after \(model.iterations) steps")
            // The log loss is the mean −log softmax of the label (checked on the first row by hand).
            let d = c.latent
            let scores = model.classes.indices.map { k in model.intercepts[k] + (0..<d).reduce(0.0) { $0 + model.weights[k][$1] * Double(standardised[$1]) } }
            let largest = scores.max()!
            let first = log(scores.reduce(0.0) { $0 + exp($1 - largest) }) + largest - scores[model.classes.firstIndex(of: labels[0])!]
            let one = Tensor(shape: [1, d], scalars: Array(standardised.scalars[0..<d]))
            #expect(abs(model.logLoss(one, [labels[0]]) - first) < 1e-9)
        }
    }
}
