import Datasets
import Engine
import Foundation
import Testing
@testable import Analysis

/// The metrics after disentanglement_lib against scripts/newmetrics_reference.py (numpy, scipy,
/// scikit-learn) on the same fixed arrays: a noisy mixed code, so no score sits at its bound.
/// Skipped where python3 lacks scikit-learn.
@Suite struct ExtendedMetricReferenceTests {
    /// The same check as the dlib parity test's: python3 with numpy, scipy and scikit-learn.
    static var referenceAvailable: Bool { DlibParityTests.referenceAvailable }

    static let sizes = [2, 5, 8]

    static func arrays(rows: Int, seed: UInt64) -> (codes: [Float], factors: [[Int]]) {
        var rng = RandomGenerator(seed: seed)
        var codes: [Float] = [], table: [[Int]] = []
        for _ in 0..<rows {
            let f = sizes.map { Int(rng.next() % UInt64($0)) }
            table.append(f)
            let x = f.map(Float.init)
            codes += [x[0] + 0.3 * rng.normal(), x[1] + 0.4 * x[2] + 0.5 * rng.normal(), x[2] - 0.2 * x[1] + 0.3 * rng.normal(), rng.normal()]
        }
        return (codes, sizes.indices.map { k in table.map { $0[k] } })
    }

    @Test(.enabled(if: referenceAvailable, "needs python3 with numpy, scipy and scikit-learn"))
    func agreesWithTheScikitLearnReference() throws {
        let z = 4
        let (train, trainFactors) = Self.arrays(rows: 900, seed: 41)
        let (test, testFactors) = Self.arrays(rows: 300, seed: 42)
        // Three UDR models: the training code, a monotone copy of it, and an unrelated code.
        var rng = RandomGenerator(seed: 43)
        let models: [[Float]] = [train, train.map { $0 * $0 * $0 }, train.map { _ in rng.normal() }]
        let kl: [[Double]] = [[1, 1, 1, 0.001], [1, 1, 0.5, 1], [1, 1, 1, 1]]
        func f64(_ values: [Float]) -> NPYArray.Storage { .float64(values.map(Double.init)) }
        func classes(_ factors: [[Int]]) -> NPYArray.Storage { .int64((0..<factors[0].count).flatMap { n in factors.map { Int64($0[n]) } }) }
        let folder = NSTemporaryDirectory() + "betavae-newmetrics-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/arrays.npz"
        FileManager.default.createFile(atPath: path, contents: Data(NPZ.serialize([
            (name: "train", array: NPYArray(shape: [900, z], storage: f64(train))),
            (name: "train_factors", array: NPYArray(shape: [900, 3], storage: classes(trainFactors))),
            (name: "test", array: NPYArray(shape: [300, z], storage: f64(test))),
            (name: "test_factors", array: NPYArray(shape: [300, 3], storage: classes(testFactors))),
            (name: "models", array: NPYArray(shape: [3, 900, z], storage: f64(models.flatMap { $0 }))),
            (name: "kl", array: NPYArray(shape: [3, z], storage: .float64(kl.flatMap { $0 }))),
        ])))
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../scripts/newmetrics_reference.py").standardized.path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let reference = try #require(try JSONSerialization.jsonObject(with: output) as? [String: Any])

        let matrix = InformationScores.mutualInformationMatrix(codes: Tensor(shape: [900, z], scalars: train), factors: trainFactors)
        let entropies = trainFactors.map(InformationScores.entropy)
        let info = InfoMECScores.modularityAndCompactness(matrix: matrix, factorEntropies: entropies,
                                                          active: InfoMECScores.activeLatents(codes: train, latent: z))
        let dcies = DCIESScores.score(train: train, trainFactors: trainFactors, test: test, testFactors: testFactors, latent: z)
        let udr = UDRScore.score(means: models.map { Tensor(shape: [900, z], scalars: $0) }, klPerDimension: kl)
        let mine: [String: Double] = [
            "mig_sup": MIGSupScore.score(matrix: matrix, factorEntropies: entropies), "infom": info.infoM, "infoc": info.infoC,
            "irs": IRSScore.score(codes: train, latent: z, factors: trainFactors).score, "dci_es_size": dcies.size,
            "dci_es_explicitness": dcies.explicitness,
        ]
        print("newmetrics reference: \(reference)\nmine: \(mine), udr \(udr.modelScores)")
        // The binned estimators and IRS are the same arithmetic: equal to float precision.
        for key in ["mig_sup", "infom", "infoc", "irs", "dci_es_size"] {
            let theirs = try #require(reference[key] as? Double)
            #expect(abs((mine[key] ?? .nan) - theirs) < 1e-4, "\(key): \(mine[key] ?? .nan) vs \(theirs)")
        }
        // Trees: scikit-learn breaks equal splits by a random feature order; the curves may differ by a point or two.
        let explicitness = try #require(reference["dci_es_explicitness"] as? Double)
        #expect(abs(dcies.explicitness - explicitness) < 0.02, "explicitness \(dcies.explicitness) vs \(explicitness)")
        // InfoE: the same penalised regression, scikit-learn by L-BFGS to tol 1e-10, here by Newton-CG;
        // the codes are standardised in float32 here.
        let infoE = InfoMECScores.explicitness(codes: train, latent: z, factors: trainFactors)
        let theirInfoE = try #require(reference["infoe"] as? Double)
        #expect(abs(infoE - theirInfoE) < 1e-4, "InfoE \(infoE) vs \(theirInfoE)")
        let theirUDR = try #require(reference["udr"] as? [Double])
        for (a, b) in zip(udr.modelScores, theirUDR) { #expect(abs(a - b) < 1e-4, "UDR \(udr.modelScores) vs \(theirUDR)") }
    }
}
