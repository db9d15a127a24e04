import Datasets
import Engine
import Foundation
import Testing
@testable import Analysis

/// Every disentanglement_lib metric computed here and by scripts/dlib_reference.py (scikit-learn,
/// numpy, scipy) on the same fixed arrays: a noisy mixed code of three factors split into fixed
/// train and test rows, and pre-drawn BetaVAE pairs and FactorVAE batches, written to one .npz that
/// both read. Skipped when python3 lacks scikit-learn (make setup installs it).
@Suite struct DlibParityTests {
    static let referenceAvailable: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sklearn, scipy, numpy"]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    static let sizes = [3, 4, 2]
    static let latent = 5

    /// A code of the factors: z0 tracks f0, z1 mixes f1 with f0, z2 tracks f2, z3 is noise, z4 a
    /// weaker copy of f1; Gaussian noise of sd 0.3 on each.
    static func code(_ factors: [Int], _ rng: inout RandomGenerator) -> [Float] {
        let f = factors.map(Float.init)
        return [f[0] + 0.3 * rng.normal(), 0.7 * f[1] + 0.4 * f[0] + 0.3 * rng.normal(), 2 * f[2] + 0.3 * rng.normal(),
                rng.normal(), 0.5 * f[1] + 0.3 * rng.normal()]
    }

    static func randomFactors(_ rng: inout RandomGenerator) -> [Int] { sizes.map { Int(rng.next() % UInt64($0)) } }

    struct Arrays {
        var codesTrain: [Float] = [], factorsTrain: [Int] = [], codesTest: [Float] = [], factorsTest: [Int] = []
        var bvFirst: [String: [Float]] = [:], bvSecond: [String: [Float]] = [:], bvLabels: [String: [Int]] = [:]
        var fvVariance: [Float] = [], fvCodes: [String: [Float]] = [:], fvLabels: [String: [Int]] = [:]
    }

    static func makeArrays() -> Arrays {
        var rng = RandomGenerator(seed: 22)
        var a = Arrays()
        for (count, test) in [(600, false), (300, true)] {
            for _ in 0..<count {
                let f = randomFactors(&rng)
                if test { a.codesTest += code(f, &rng); a.factorsTest += f } else { a.codesTrain += code(f, &rng); a.factorsTrain += f }
            }
        }
        let batch = 8
        for (split, points) in [("train", 160), ("eval", 80)] {
            var first: [Float] = [], second: [Float] = [], labels: [Int] = []
            for _ in 0..<points {
                let k = Int(rng.next() % UInt64(sizes.count))
                labels.append(k)
                for _ in 0..<batch {
                    let f1 = randomFactors(&rng)
                    var f2 = randomFactors(&rng)
                    f2[k] = f1[k]
                    first += code(f1, &rng)
                    second += code(f2, &rng)
                }
            }
            (a.bvFirst[split], a.bvSecond[split], a.bvLabels[split]) = (first, second, labels)
        }
        for _ in 0..<500 { a.fvVariance += code(randomFactors(&rng), &rng) }
        for (split, points) in [("train", 120), ("eval", 60)] {
            var codes: [Float] = [], labels: [Int] = []
            for _ in 0..<points {
                let k = Int(rng.next() % UInt64(sizes.count))
                let value = Int(rng.next() % UInt64(sizes[k]))
                labels.append(k)
                for _ in 0..<16 {
                    var f = randomFactors(&rng)
                    f[k] = value
                    codes += code(f, &rng)
                }
            }
            (a.fvCodes[split], a.fvLabels[split]) = (codes, labels)
        }
        return a
    }

    static func write(_ a: Arrays, to path: String) throws {
        let z = latent, f = sizes.count
        func floats(_ v: [Float]) -> NPYArray { NPYArray(shape: [v.count / z, z], storage: .float32(v)) }
        func ints(_ v: [Int], columns: Int? = nil) -> NPYArray {
            NPYArray(shape: columns.map { [v.count / $0, $0] } ?? [v.count], storage: .int64(v.map(Int64.init)))
        }
        var arrays: [(name: String, array: NPYArray)] = [
            ("codes_train", floats(a.codesTrain)), ("factors_train", ints(a.factorsTrain, columns: f)),
            ("codes_test", floats(a.codesTest)), ("factors_test", ints(a.factorsTest, columns: f)),
            ("fv_variance", floats(a.fvVariance)),
        ]
        for split in ["train", "eval"] {
            arrays += [("bv_\(split)_first", floats(a.bvFirst[split] ?? [])), ("bv_\(split)_second", floats(a.bvSecond[split] ?? [])),
                       ("bv_\(split)_labels", ints(a.bvLabels[split] ?? [])),
                       ("fv_\(split)_codes", floats(a.fvCodes[split] ?? [])), ("fv_\(split)_labels", ints(a.fvLabels[split] ?? []))]
        }
        try NPZ.write(arrays, to: path)
    }

    /// Runs scripts/dlib_reference.py on `path` and returns its JSON.
    static func reference(_ path: String) throws -> [String: Any] {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/dlib_reference.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    static func columns(_ factors: [Int]) -> [[Int]] {
        sizes.indices.map { f in stride(from: f, to: factors.count, by: sizes.count).map { factors[$0] } }
    }

    @Test(.enabled(if: referenceAvailable, "needs python3 with scikit-learn, scipy and numpy (make setup installs them)"))
    func everyMetricMatchesTheReference() throws {
        let a = Self.makeArrays()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dlib-parity-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/arrays.npz"
        try Self.write(a, to: path)
        let expected = try Self.reference(path)
        func value(_ key: String) -> Double { (expected[key] as? Double) ?? .nan }

        let z = Self.latent
        let ours = RepresentationScores(train: a.codesTrain, trainFactors: Self.columns(a.factorsTrain), test: a.codesTest,
                                        testFactors: Self.columns(a.factorsTest), latent: z, options: CodeScores.Options())
        for key in ["mig", "sap", "modularity"] {
            #expect(abs((ours.scores[key] ?? .nan) - value(key)) < 1e-4, "\(key): \(ours.scores[key] ?? .nan) vs \(value(key))")
        }
        for key in ["dci_disentanglement", "dci_completeness", "dci_informativeness"] {
            #expect(abs((ours.scores[key] ?? .nan) - value(key)) < 0.01, "\(key): \(ours.scores[key] ?? .nan) vs \(value(key))")
        }
        let explicitness = ExplicitnessScore.score(train: a.codesTrain, trainFactors: Self.columns(a.factorsTrain), test: a.codesTest,
                                                   testFactors: Self.columns(a.factorsTest), latent: z)
        #expect(abs(explicitness.test - value("explicitness")) < 1e-4, "explicitness: \(explicitness.test) vs \(value("explicitness"))")
        #expect(abs(explicitness.train - value("explicitness_train")) < 1e-4,
                "explicitness_train: \(explicitness.train) vs \(value("explicitness_train"))")
        // The mixed code is not trivially disentangled: D and C well inside (0, 1), so a wrong weighting would show.
        #expect((0.2...0.9).contains(ours.dci.disentanglement) && (0.2...0.9).contains(ours.dci.completeness))

        let bvTrain = SupervisedScores.betaVAEFeatures(first: a.bvFirst["train"] ?? [], second: a.bvSecond["train"] ?? [], latent: z, batch: 8)
        let bvEval = SupervisedScores.betaVAEFeatures(first: a.bvFirst["eval"] ?? [], second: a.bvSecond["eval"] ?? [], latent: z, batch: 8)
        let betaVAE = SupervisedScores.betaVAE(trainFeatures: bvTrain, trainLabels: a.bvLabels["train"] ?? [], evalFeatures: bvEval,
                                               evalLabels: a.bvLabels["eval"] ?? [])
        #expect(abs(betaVAE.evaluation - value("beta_vae")) < 0.01, "beta_vae: \(betaVAE.evaluation) vs \(value("beta_vae"))")
        #expect(abs(betaVAE.train - value("beta_vae_train")) < 0.01)

        let scale = SupervisedScores.factorVAEScale(a.fvVariance, latent: z)
        func votes(_ split: String) -> [(latent: Int, factor: Int)] {
            let codes = a.fvCodes[split] ?? [], labels = a.fvLabels[split] ?? []
            return labels.indices.map { p in
                (SupervisedScores.factorVAEVote(Array(codes[(p * 16 * z)..<((p + 1) * 16 * z)]), scale: scale, latent: z), labels[p])
            }
        }
        let factorVAE = SupervisedScores.factorVAE(trainVotes: votes("train"), evalVotes: votes("eval"), latent: z, factors: Self.sizes.count)
        #expect(abs(factorVAE.evaluation - value("factor_vae")) < 0.01, "factor_vae: \(factorVAE.evaluation) vs \(value("factor_vae"))")
        #expect(abs(factorVAE.train - value("factor_vae_train")) < 0.01)
    }

    /// Known codes under the boosted trees (no Python needed): the identity code (each factor in its
    /// own latent, slight noise) gives D, C, I ≈ 1; duplicating a latent halves its factor's
    /// importance between the copies, so completeness falls while disentanglement stays; a random
    /// code informs about nothing (I near chance).
    @Test func boostedTreesOnKnownCodes() {
        var rng = RandomGenerator(seed: 4)
        var train: [[Int]] = [], test: [[Int]] = []
        for _ in 0..<300 { train.append(Self.randomFactors(&rng)) }
        for _ in 0..<150 { test.append(Self.randomFactors(&rng)) }
        func codes(_ rows: [[Int]], _ map: ([Float], inout RandomGenerator) -> [Float]) -> [Float] {
            rows.flatMap { map($0.map(Float.init), &rng) }
        }
        func columns(_ rows: [[Int]]) -> [[Int]] { Self.sizes.indices.map { f in rows.map { $0[f] } } }
        func dci(_ z: Int, _ map: ([Float], inout RandomGenerator) -> [Float]) -> DCIScores.Result {
            DCIScores.score(train: codes(train, map), trainFactors: columns(train), test: codes(test, map), testFactors: columns(test), latent: z)
        }
        let identity = dci(3) { f, rng in f.map { $0 + 0.01 * rng.normal() } }
        #expect(identity.disentanglement > 0.95 && identity.completeness > 0.95 && identity.informativeness > 0.99, "\(identity)")
        let duplicated = dci(4) { f, rng in [f[0], f[1], f[2], f[0]].map { $0 + 0.01 * rng.normal() } }
        #expect(duplicated.disentanglement > 0.9, "\(duplicated)")
        #expect(duplicated.completeness < identity.completeness - 0.1, "\(duplicated.completeness) vs \(identity.completeness)")
        let random = dci(3) { _, rng in [rng.normal(), rng.normal(), rng.normal()] }
        #expect(random.informativeness < 0.5, "\(random)")
    }

    /// The logistic regression reaches the optimum: its gradient vanishes (so any solver that
    /// reaches it predicts the same), and it separates well-separated classes.
    @Test func logisticRegressionReachesTheOptimum() {
        var rng = RandomGenerator(seed: 9)
        var x: [Float] = [], y: [Int] = []
        for i in 0..<240 {
            let label = i % 3
            x += [Float(label) + 0.4 * rng.normal(), Float(2 - label) * 0.5 + 0.4 * rng.normal()]
            y.append(label + 5)   // labels need not start at 0
        }
        let model = LogisticRegression(features: Tensor(shape: [240, 2], scalars: x), labels: y)
        #expect(model.classes == [5, 6, 7])
        #expect(model.gradientNorm < 1e-8, "gradient \(model.gradientNorm) after \(model.iterations) steps")
        #expect(model.accuracy(Tensor(shape: [240, 2], scalars: x), y) > 0.85)
    }
}
