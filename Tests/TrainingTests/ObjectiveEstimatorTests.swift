import Engine
import Foundation
import Models
import Testing

/// The estimators of the objectives after β-VAE on their own: β-TCVAE's decomposition, FactorVAE's
/// discriminator and permutation, DIP-VAE's covariance.
@Suite struct ObjectiveEstimatorTests {
    func posterior(rows: Int, latent: Int, seed: UInt64, spread: Float = 1) -> (mean: Tensor, logVariance: Tensor) {
        var rng = RandomGenerator(seed: seed)
        let mean = rng.normalTensor(shape: [rows, latent])
        let logVariance = rng.uniformTensor(shape: [rows, latent], low: -2, high: 0.5)
        return (Tensor(shape: mean.shape, scalars: mean.scalars.map { $0 * spread }), logVariance)
    }

    /// With α = β = γ = 1 the three terms sum to the batch's one-sample KL estimate
    /// mean(log q(z|x) − log p(z)) — exactly, to 1e-9 relative: log q(z) and log Π q(zⱼ), where the
    /// minibatch estimators' bias lies, cancel in the sum. That estimate is unbiased for the analytic
    /// KL, so the bound used is Monte-Carlo error only: over S = 400 draws of ε the mean of the sum
    /// lies within 4 standard errors (4·sd/√S) of the analytic batch-mean KL.
    @Test(arguments: [TCSampling.weighted, .stratified])
    func termsSumToTheKLEstimate(_ sampling: TCSampling) {
        let (mean, logVariance) = posterior(rows: 16, latent: 3, seed: 7)
        let estimator = TotalCorrelationEstimator(datasetSize: 1000, sampling: sampling)
        let analytic = Losses.gaussianKL(mean: mean, logVariance: logVariance).sum() / 16
        var rng = RandomGenerator(seed: 8)
        var sums: [Double] = []
        for _ in 0..<400 {
            let z = Losses.reparameterize(mean: mean, logVariance: logVariance, noise: rng.normalTensor(shape: mean.shape))
            let e = estimator.forward(mean: mean, logVariance: logVariance, code: z)
            let oneSample = zip(e.logPosterior, e.logPrior).reduce(0.0) { $0 + $1.0 - $1.1 } / 16
            #expect(abs(e.sum - oneSample) <= 1e-9 * max(1, abs(oneSample)))
            sums.append(e.sum)
        }
        let average = sums.reduce(0, +) / Double(sums.count)
        let sd = (sums.map { ($0 - average) * ($0 - average) }.reduce(0, +) / Double(sums.count - 1)).squareRoot()
        #expect(abs(average - analytic) < 4 * sd / Double(sums.count).squareRoot(), "mean \(average), analytic \(analytic), sd \(sd)")
    }

    /// The known bias of the paper's minibatch-weighted sampling: with every posterior equal to the
    /// prior (true MI = TC = dimension-wise KL = 0), log q̂(z) = log[(1/M)Σⱼ q(z|xⱼ)] − log N, so MI
    /// reads log N, TC (D − 1)·log N and the dimension-wise KL −D·log N, exactly. Stratified
    /// sampling's weights sum to 1 per row and read 0 (to 1e-9).
    @Test func estimatorOffsetsWhenPosteriorIsThePrior() {
        let (m, d, n) = (32, 4, 5000)
        let zero = Tensor(shape: [m, d])
        var rng = RandomGenerator(seed: 3)
        let z = rng.normalTensor(shape: [m, d])
        let weighted = TotalCorrelationEstimator(datasetSize: n, sampling: .weighted).forward(mean: zero, logVariance: zero, code: z)
        let logN = log(Double(n))
        #expect(abs(weighted.mutualInformation - logN) < 1e-9)
        #expect(abs(weighted.totalCorrelation - Double(d - 1) * logN) < 1e-9)
        #expect(abs(weighted.dimensionWiseKL + Double(d) * logN) < 1e-9)
        let stratified = TotalCorrelationEstimator(datasetSize: n, sampling: .stratified).forward(mean: zero, logVariance: zero, code: z)
        for value in [stratified.mutualInformation, stratified.totalCorrelation, stratified.dimensionWiseKL] { #expect(abs(value) < 1e-9) }
    }

    /// Stratified weights: 1/N on the diagonal, (N − M + 1)/(N(M − 1)) once per row, 1/(M − 1) elsewhere; each row sums to 1.
    @Test func stratifiedWeightsSumToOne() {
        let estimator = TotalCorrelationEstimator(datasetSize: 700, sampling: .stratified)
        for i in 0..<6 {
            let row = (0..<6).map { exp(estimator.logWeight(i, $0, batch: 6)) }
            #expect(abs(row.reduce(0, +) - 1) < 1e-12)
            #expect(abs(row[i] - 1.0 / 700) < 1e-15 && abs(row[(i + 1) % 6] - 695.0 / 3500) < 1e-12)
        }
    }

    /// Each column is permuted on its own: every column keeps its values, the columns do not all
    /// move together, no value crosses into another column, and `backward` is the adjoint of `apply`.
    @Test func permutationIsPerDimension() {
        var rng = RandomGenerator(seed: 11)
        let z = rng.normalTensor(shape: [64, 5])
        let permutation = DimensionPermutation.draw(rows: 64, columns: 5, rng: &rng)
        let permuted = permutation.apply(z)
        for a in 0..<5 {
            #expect((0..<64).map { permuted[$0 * 5 + a] }.sorted() == (0..<64).map { z[$0 * 5 + a] }.sorted())
        }
        #expect(Set(permutation.orders.map { $0 }).count == 5)
        let g = rng.normalTensor(shape: [64, 5])
        let left = (0..<z.count).reduce(0.0) { $0 + Double(permuted[$1]) * Double(g[$1]) }
        let back = permutation.backward(g)
        let right = (0..<z.count).reduce(0.0) { $0 + Double(z[$1]) * Double(back[$1]) }
        #expect(abs(left - right) < 1e-4)
    }

    /// The discriminator's loss against central differences: every parameter, the real codes and
    /// the codes z′ before the permutation (∂ through permuted[i, a] = z′[πₐ(i), a]); and the TC
    /// term's ∂/∂z. Relative errors below 2e-3.
    @Test func discriminatorGradients() {
        var rng = RandomGenerator(seed: 21)
        let discriminator = Discriminator(latent: 3, layers: 2, hidden: 7, rng: &rng)
        let real = rng.normalTensor(shape: [5, 3]), source = rng.normalTensor(shape: [5, 3])
        let permutation = DimensionPermutation.draw(rows: 5, columns: 3, rng: &rng)
        let parameters = discriminator.namedParameters
        // The cross-entropy summed in Double from the network's logits (Float32 per-row losses would
        // put their rounding, ≈ 4e-8 / 2h, into the differences).
        func loss(real: Tensor, source: Tensor) -> Double {
            let permuted = permutation.apply(source)
            let l = discriminator.logits(Tensor(shape: [10, 3], scalars: real.scalars + permuted.scalars))
            return (0..<10).reduce(0.0) { total, row in
                let (a, b) = (Double(l[row * 2]), Double(l[row * 2 + 1]))
                return total + log(exp(a) + exp(b)) - (row < 5 ? a : b)
            } / 10
        }
        Gradients.zero(parameters.map(\.parameter))
        let step = discriminator.lossAndGradients(real: real, permuted: permutation.apply(source))
        #expect(abs(step.loss - loss(real: real, source: source)) < 1e-6 && (0...1).contains(step.accuracy))
        #expect(abs(discriminator.evaluate(real: real, permuted: permutation.apply(source)).loss - step.loss) < 1e-12)
        let analytic = parameters.map(\.parameter.gradient)
        for (item, gradient) in zip(parameters, analytic) {
            let c = FiniteDifference.check(item.parameter, analytic: gradient) { loss(real: real, source: source) }
            #expect(c.relativeError < 2e-3, "\(item.name): \(c)")
        }
        let dReal = FiniteDifference.check(at: real, analytic: step.realGradient) { loss(real: $0, source: source) }
        let dSource = FiniteDifference.check(at: source, analytic: permutation.backward(step.permutedGradient)) { loss(real: real, source: $0) }
        #expect(dReal.relativeError < 2e-3, "real: \(dReal)")
        #expect(dSource.relativeError < 2e-3 && dSource.largestAnalytic > 0, "through the permutation: \(dSource)")
        _ = discriminator.totalCorrelation(real)
        let dTC = discriminator.totalCorrelationBackward(scale: 2.5)
        let tc = FiniteDifference.check(at: real, analytic: dTC) { 2.5 * discriminator.totalCorrelation($0) }
        #expect(tc.relativeError < 2e-3, "TC: \(tc)")
    }

    /// DIP-VAE's covariance against its definition, for both variants.
    @Test func dipCovariance() {
        let (mean, logVariance) = posterior(rows: 9, latent: 3, seed: 31)
        for variant in [DIPVAESettings.Variant.i, .ii] {
            let value = DIPPenalty(DIPVAESettings(variant: variant, lambdaOffDiagonal: 2, lambdaDiagonal: 3)).forward(mean: mean, logVariance: logVariance)
            var expected = 0.0, offDiagonal = 0.0, diagonal = 0.0
            for a in 0..<3 {
                for b in 0..<3 {
                    let ma = (0..<9).map { Double(mean[$0 * 3 + a]) }, mb = (0..<9).map { Double(mean[$0 * 3 + b]) }
                    let (ca, cb) = (ma.reduce(0, +) / 9, mb.reduce(0, +) / 9)
                    var c = zip(ma, mb).reduce(0.0) { $0 + ($1.0 - ca) * ($1.1 - cb) } / 9
                    if variant == .ii && a == b { c += (0..<9).reduce(0.0) { $0 + exp(Double(logVariance[$1 * 3 + a])) } / 9 }
                    #expect(abs(value.covariance[a * 3 + b] - c) < 1e-9)
                    if a == b { diagonal += (c - 1) * (c - 1) } else { offDiagonal += c * c }
                }
            }
            expected = 2 * offDiagonal + 3 * diagonal
            #expect(abs(value.penalty - expected) < 1e-9 && abs(value.offDiagonal - offDiagonal) < 1e-9)
        }
    }

    /// The schedules' rates at known steps.
    @Test func learningRateSchedules() {
        #expect(LearningRateSchedule.constant.rate(base: 1e-3, step: 99) == 1e-3)
        let cosine = LearningRateSchedule.cosine(steps: 100, minimum: 1e-4)
        #expect(abs(cosine.rate(base: 1e-3, step: 0) - 1e-3) < 1e-15)
        #expect(abs(cosine.rate(base: 1e-3, step: 50) - 5.5e-4) < 1e-15)
        #expect(abs(cosine.rate(base: 1e-3, step: 100) - 1e-4) < 1e-15 && cosine.rate(base: 1e-3, step: 500) == cosine.rate(base: 1e-3, step: 100))
        let step = LearningRateSchedule.step(every: 10, factor: 0.5)
        #expect(step.rate(base: 1, step: 9) == 1 && step.rate(base: 1, step: 10) == 0.5 && step.rate(base: 1, step: 35) == 0.125)
        #expect(LearningRateSchedule.step(every: 0, factor: 0.5).problem(base: 1) != nil)
        #expect(LearningRateSchedule.cosine(steps: 10, minimum: 2).problem(base: 1) != nil)
    }

    /// Every objective survives config.json's round trip; a β objective written before warm-up reads as warm-up 0.
    @Test func objectivesRoundTrip() throws {
        let all: [Objective] = ObjectiveLossTests.objectives + [.tcvae(TCVAESettings()), .factorVAE(FactorVAESettings()),
                                                                 .dipVAE(DIPVAESettings(variant: .i)), .dipVAE(DIPVAESettings(variant: .ii))]
        for objective in all {
            let data = try JSONEncoder().encode(objective)
            #expect(try JSONDecoder().decode(Objective.self, from: data) == objective)
        }
        #expect(try JSONDecoder().decode(Objective.self, from: Data(#"{"kind":"beta","beta":4}"#.utf8)) == .beta(4, warmup: 0))
        #expect((try? JSONDecoder().decode(Objective.self, from: Data(#"{"kind":"dipvae-i","variant":"ii","lambdaOD":1,"lambdaD":1}"#.utf8))) == nil)
        #expect(DIPVAESettings(variant: .i).lambdaDiagonal == 100 && DIPVAESettings(variant: .ii).lambdaDiagonal == 10)
        #expect(Objective.tcvae(TCVAESettings()).namePart == "tcvae6" && Objective.dipVAE(DIPVAESettings(variant: .ii)).namePart == "dipvae-ii10")
    }
}

/// FactorVAE's second batch: distinct indices, all of the population reachable, none outside it.
@Test func sampleDrawsDistinctIndices() {
    var rng = RandomGenerator(seed: 1)
    var seen = Set<Int>()
    for _ in 0..<200 {
        let draw = rng.sample(8, from: 20)
        #expect(draw.count == 8 && Set(draw).count == 8 && draw.allSatisfy { (0..<20).contains($0) })
        seen.formUnion(draw)
    }
    #expect(seen.count == 20 && rng.sample(5, from: 5).sorted() == [0, 1, 2, 3, 4])
}
