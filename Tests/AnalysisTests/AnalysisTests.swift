import Datasets
import Engine
import Foundation
import Models
import Testing
@testable import Analysis

/// Analysis against closed forms.
@Suite struct AnalysisTests {
    /// A linear-Gaussian VAE: p(z) = N(0, I), p(x|z) = N(Wz + b, I) with W = [[1, 0], [0, 2], [0, 0]],
    /// so p(x) = N(b, WWᵀ + I) exactly. The encoder is the exact posterior's mean with variances
    /// that are 1.8× too wide, so the ELBO is loose and the IWAE bound must close the gap.
    func linearGaussianModel() -> VAE {
        var rng = RandomGenerator(seed: 0)
        let model = VAE(spec: ModelSpec(architecture: .mlp, imageShape: [1, 1, 3], hidden: [], latent: 2, likelihood: .gaussian), rng: &rng)
        let named = Dictionary(uniqueKeysWithValues: model.namedParameters.map { ($0.name, $0.parameter) })
        let bias: [Float] = [0.5, -1, 0.25]
        // Decoder: Linear(2 → 3), weight [3, 2].
        named["decoder.0.weight"]?.value = Tensor(shape: [3, 2], scalars: [1, 0, 0, 2, 0, 0])
        named["decoder.0.bias"]?.value = Tensor(shape: [3], scalars: bias)
        // Exact posterior: Σ = (WᵀW + I)⁻¹ = diag(1/2, 1/5); μ = Σ Wᵀ (x − b).
        // Encoder: Linear(3 → 4) giving [μ₁, μ₂, log σ₁², log σ₂²].
        named["encoder.0.weight"]?.value = Tensor(shape: [4, 3], scalars: [0.5, 0, 0, 0, 0.4, 0, 0, 0, 0, 0, 0, 0])
        named["encoder.0.bias"]?.value = Tensor(shape: [4], scalars: [-0.25, 0.4, Float(log(0.5 * 1.8)), Float(log(0.2 * 1.8))])
        return model
    }

    /// −log N(x; b, WWᵀ + I) with WWᵀ + I = diag(2, 5, 1).
    func exactNLL(_ x: [Float]) -> Double {
        let bias: [Double] = [0.5, -1, 0.25], variances: [Double] = [2, 5, 1]
        return (0..<3).reduce(0) { total, i in
            let r = Double(x[i]) - bias[i]
            return total + 0.5 * (r * r / variances[i] + log(2 * .pi * variances[i]))
        }
    }

    @Test func iwaeApproachesTheExactLikelihoodAndTheNELBOBoundsIt() {
        let model = linearGaussianModel()
        var rng = RandomGenerator(seed: 1)
        let pixels = (0..<60).map { _ in rng.uniform(-2, 2) }
        let set = FloatImages(shape: [1, 1, 3], pixels: pixels)
        let exact = (0..<20).reduce(0.0) { $0 + exactNLL(Array(pixels[($1 * 3)..<($1 * 3 + 3)])) } / 20
        let pass = PosteriorPass(model: model, set: set, binarization: .none, seed: 0)
        let k1 = HeldOutLikelihood.estimate(pass: pass, samples: 1, seed: 3)
        let k10 = HeldOutLikelihood.estimate(pass: pass, samples: 10, seed: 3)
        let k2000 = HeldOutLikelihood.estimate(pass: pass, samples: 2000, seed: 3)
        #expect(abs(k2000.nll - exact) < 0.02, "IWAE(2000) \(k2000.nll) vs exact \(exact)")
        #expect(k1.nll > k10.nll && k10.nll > k2000.nll - 0.01)
        #expect(k2000.elboNLL > exact + 0.05, "NELBO \(k2000.elboNLL) should bound \(exact) from above")
        // With K = 1 the IWAE bound is the one-sample ELBO itself.
        #expect(abs(k1.nll - k1.elboNLL) < 1e-9)
        for estimate in [k10, k2000] { #expect(estimate.nll < estimate.elboNLL) }
        #expect(k2000.standardError > 0 && k2000.images == 20 && k2000.samples == 2000)
        // The one-sample pass bounds the exact likelihood from above on average, like the K-sample ELBO.
        let summary = pass.summary(noiseSeed: 4, deterministic: false)
        #expect(abs(summary.nelbo - k2000.elboNLL) < 0.3, "one-sample NELBO \(summary.nelbo) vs K-sample \(k2000.elboNLL)")
    }

    @Test func logMeanExpIsStable() {
        #expect(abs(HeldOutLikelihood.logMeanExp([-1000, -1000]) - -1000) < 1e-9)
        #expect(abs(HeldOutLikelihood.logMeanExp([0, log(3)]) - log(2)) < 1e-12)
    }

    /// Data with covariance R·diag(9, 4, 1)·Rᵀ: PCA finds R's first two columns and ratios 9/14, 4/14.
    @Test func pcaRecoversKnownAxesAndRatios() throws {
        var rng = RandomGenerator(seed: 2)
        let angle: Float = 0.6
        let rotation: [[Float]] = [[cos(angle), -sin(angle), 0], [sin(angle), cos(angle), 0], [0, 0, 1]]
        let scales: [Float] = [3, 2, 1]
        var data = Tensor(shape: [20_000, 3])
        for n in 0..<20_000 {
            let latent = scales.map { $0 * rng.normal() }
            for i in 0..<3 { data[n * 3 + i] = (0..<3).reduce(0) { $0 + rotation[i][$1] * latent[$1] } + 5 }
        }
        let pca = try PCA(fitting: data, components: 2)
        for c in 0..<2 {
            let axis = (0..<3).map { rotation[$0][c] }
            let dot = (0..<3).reduce(Float(0)) { $0 + pca.components[c * 3 + $1] * axis[$1] }
            #expect(abs(abs(dot) - 1) < 0.01, "component \(c) off its axis: |cos| = \(abs(dot))")
        }
        #expect(abs(pca.explainedVarianceRatio[0] - 9.0 / 14) < 0.01)
        #expect(abs(pca.explainedVarianceRatio[1] - 4.0 / 14) < 0.01)
        // Signs: the largest loading of each component is positive, whatever LAPACK returned.
        for c in 0..<2 {
            let row = (0..<3).map { pca.components[c * 3 + $0] }
            #expect(row.max { abs($0) < abs($1) }! > 0)
        }
        let projected = pca.project(data.rows(0..<10))
        #expect(projected.shape == [10, 2])
    }

    @Test func eigenDecompositionKnownAnswer() throws {
        // [[2, 1], [1, 2]] has eigenvalues 3, 1 with vectors (1, 1)/√2 and (1, −1)/√2.
        let (values, vectors) = try SymmetricEigen.decompose(Tensor(shape: [2, 2], scalars: [2, 1, 1, 2]))
        #expect(abs(values[0] - 3) < 1e-5 && abs(values[1] - 1) < 1e-5)
        #expect(abs(abs(vectors[0]) - 0.70710677) < 1e-5 && abs(vectors[0] - vectors[1]) < 1e-5)
        #expect(abs(vectors[2] + vectors[3]) < 1e-5)
    }

    /// Means with per-dimension variances 1, 0.5, 0.005 and 0: units 0 and 1 are active.
    @Test func activeUnitsFromKnownVariances() {
        var rng = RandomGenerator(seed: 4)
        let sd: [Float] = [1, Float(0.5).squareRoot(), Float(0.005).squareRoot(), 0]
        var means = Tensor(shape: [5000, 4])
        for n in 0..<5000 { for j in 0..<4 { means[n * 4 + j] = 2 + sd[j] * rng.normal() } }
        // KL per dimension with log σ² = 0 is ½ E[μ²].
        let kl = (0..<4).map { j in (0..<5000).reduce(0.0) { $0 + 0.5 * Double(means[$1 * 4 + j] * means[$1 * 4 + j]) } / 5000 }
        let usage = LatentUsage(means: means, klPerDimension: kl)
        #expect(usage.activeUnits == [0, 1])
        #expect(abs(usage.meanVariance[0] - 1) < 0.06 && abs(usage.meanVariance[2] - 0.005) < 0.001)
        #expect(!usage.collapsed)
        // KL per dimension with log σ² = 0: ½ E[μ²] = ½(4 + var).
        #expect(abs(usage.klPerDimension[3] - 2) < 1e-3)
        #expect(abs(usage.klPerDimension[0] - 2.5) < 0.06)
        #expect(usage.dimensionsByKL.first == 0)
        let collapsed = LatentUsage(means: Tensor(shape: [10, 3]), klPerDimension: [0, 0, 0])
        #expect(collapsed.collapsed && collapsed.activeUnits.isEmpty)
    }

    @Test func interpolationAndTraversalEndpointsAreTheGivenCodes() {
        let a: [Float] = [1, -2, 0.5], b: [Float] = [-1, 3, 2]
        for spherical in [false, true] {
            let codes = LatentWalks.interpolation(from: a, to: b, steps: 16, spherical: spherical)
            #expect(codes.shape == [16, 3])
            for j in 0..<3 {
                #expect(abs(codes[j] - a[j]) < 1e-5)
                #expect(abs(codes[15 * 3 + j] - b[j]) < 1e-5)
            }
        }
        // Decoding the endpoints gives the decodes of a and b (to the last bits: oneDNN's sgemm
        // blocks a batch of 16 rows differently from one of 2, so sums may round differently).
        var rng = RandomGenerator(seed: 5)
        let model = VAE(spec: ModelSpec(architecture: .mlp, imageShape: [1, 2, 2], hidden: [4], latent: 3), rng: &rng)
        let path = model.decodeImages(LatentWalks.interpolation(from: a, to: b))
        let ends = model.decodeImages(Tensor(shape: [2, 3], scalars: a + b))
        for i in 0..<4 {
            #expect(abs(path.scalars[i] - ends.scalars[i]) < 1e-6)
            #expect(abs(path.scalars[60 + i] - ends.scalars[4 + i]) < 1e-6)
        }

        let base: [Float] = [0.5, 0, -1]
        let (traversal, values) = LatentWalks.traversal(base: base, dimensions: [2, 0], range: .fixed, steps: 7)
        #expect(traversal.shape == [14, 3])
        #expect(values[0].first == -4 && values[0].last == 2)                 // base ± 3 in dimension 2
        #expect(Array(traversal.scalars[0..<3]) == [0.5, 0, -4])
        #expect(Array(traversal.scalars[(13 * 3)..<(14 * 3)]) == [3.5, 0, -1])
        let prior = LatentWalks.traversalValues(dimension: 0, range: .priorQuantiles, steps: 5, base: base, means: nil)
        #expect(abs(Double(prior[0]) + 1.6448536) < 1e-5 && abs(Double(prior[4]) - 1.6448536) < 1e-5)
        #expect(abs(NormalQuantile.of(0.975) - 1.959964) < 1e-6)
    }

    @Test func posteriorGridCentreIsTheMean() {
        let grid = LatentWalks.posteriorGrid(mean: [1, 2, 3], logVariance: [0, log(4), 0], dimensions: 0, 1, side: 7)
        #expect(Array(grid.scalars[(24 * 3)..<(25 * 3)]) == [1, 2, 3])        // ε = 0 at the centre
        #expect(Array(grid.scalars[0..<3]) == [-1, 6, 3])                      // top-left: ε = (−2, +2), σ = (1, 2)
        let manifold = LatentWalks.manifold(side: 3)
        // Row 0 is the top (largest z₂), column 0 the left (smallest z₁); the centre is the origin.
        #expect(manifold.shape == [9, 2])
        #expect(manifold[0] < -1.6 && manifold[1] > 1.6)
        #expect(abs(manifold[8]) < 1e-6 && abs(manifold[9]) < 1e-6)
    }

    @Test func nearestNeighboursOnSeparatedClusters() {
        var rng = RandomGenerator(seed: 6)
        func cluster(_ count: Int) -> (Tensor, [Int]) {
            var means = Tensor(shape: [count, 2]), labels: [Int] = []
            for n in 0..<count {
                let label = n % 3
                labels.append(label)
                means[n * 2] = Float(label) * 10 + rng.normal()
                means[n * 2 + 1] = rng.normal()
            }
            return (means, labels)
        }
        let (train, trainLabels) = cluster(300), (test, testLabels) = cluster(90)
        #expect(NearestNeighbours.accuracy(trainMeans: train, trainLabels: trainLabels, testMeans: test, testLabels: testLabels) == 1)
        let shuffled = trainLabels.map { ($0 + 1) % 3 }
        #expect(NearestNeighbours.accuracy(trainMeans: train, trainLabels: shuffled, testMeans: test, testLabels: testLabels) == 0)
    }
}

/// Images given directly as floats (for closed-form tests).
struct FloatImages: ImageSet {
    let imageShape: [Int]
    let pixels: [Float]
    init(shape: [Int], pixels: [Float]) {
        imageShape = shape
        self.pixels = pixels
    }
    var count: Int { pixels.count / imageShape.reduce(1, *) }
    var classCount: Int { 0 }
    func label(_ index: Int) -> Int { 0 }
    func write(_ index: Int, into output: UnsafeMutableBufferPointer<Float>) {
        let size = imageSize
        for i in 0..<size { output[i] = pixels[index * size + i] }
    }
}
