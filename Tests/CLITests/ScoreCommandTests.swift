import Datasets
import Engine
import Foundation
import Testing

/// `betavae score CODES.npz` on small archives written with NPZ.serialize: the JSON's keys, the
/// --out files, and one line with exit 1 for a bad file or 64 for a bad option.
@Suite(.serialized) struct ScoreCommandTests {
    static let dlibKeys: Set<String> = ["beta_vae", "factor_vae", "mig", "sap", "dci_disentanglement", "dci_completeness",
                                        "dci_informativeness", "modularity", "explicitness"]
    static let extendedKeys: Set<String> = ["dci_es_explicitness", "dci_es_size", "infom", "infoc", "infoe", "mig_sup", "irs"]
    static let keys = dlibKeys.union(extendedKeys)

    /// A folder holding `codes.npz`: the identity code of three factors (3, 5 and 8 values) over
    /// `rows` seeded rows, with `poison` applied to the codes.
    /// `factors(row, factor)`, when given, replaces the random classes.
    static func archive(rows: Int = 300, poison: (inout [Float]) -> Void = { _ in },
                        factors override: ((Int, Int) -> Int64)? = nil) throws -> (folder: String, path: String) {
        let folder = NSTemporaryDirectory() + "betavae-score-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var rng = RandomGenerator(seed: 21)
        let factors: [Int64] = (0..<rows).flatMap { i in [3, 5, 8].enumerated().map { f, size in
            override?(i, f) ?? Int64(rng.next() % size)
        } }
        var codes = factors.map { Float($0) }
        poison(&codes)
        let bytes = NPZ.serialize([
            (name: "codes", array: NPYArray(shape: [rows, 3], storage: .float32(codes))),
            (name: "factors", array: NPYArray(shape: [rows, 3], storage: .int64(factors))),
        ])
        let path = folder + "/codes.npz"
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return (folder, path)
    }

    @Test func jsonHoldsExactlyTheFifteenScores() throws {
        let (_, path) = try Self.archive()
        let result = try CLITests.run(["score", path, "--json", "--supervised-points", "200"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Double]
        #expect(Set(object?.keys ?? [:].keys) == Self.keys, "\(result.stdout)")
        // The identity code: near-perfect on everything but discrete SAP (1-D linear SVMs).
        for (key, value) in object ?? [:] where Self.dlibKeys.contains(key) && key != "sap" { #expect(value >= 0.9, "\(key) \(value)") }
        // The later metrics on the identity code: one latent per factor, each fixed when its factor is.
        #expect(object?["dci_es_size"] == 1 && object?["irs"] == 1, "\(result.stdout)")
        for key in ["infom", "infoc", "mig_sup"] { #expect((object?[key] ?? 0) >= 0.9, "\(key) \(object?[key] ?? .nan)") }
        // Trees of depth 0…8 read a factor of 8 values in 3 splits, so not at once: E is below 1.
        #expect((object?["dci_es_explicitness"] ?? 0) > 0.6 && (object?["dci_es_explicitness"] ?? 1) < 0.95)
        #expect(result.stdout.split(separator: "\n").count == 1)
    }

    @Test func textAndOutFolder() throws {
        let (folder, path) = try Self.archive()
        let out = folder + "/scores"
        let result = try CLITests.run(["score", path, "--out", out, "--factor-names", "shape,scale,x", "--sap", "continuous",
                                       "--supervised-points", "200"])
        #expect(result.status == 0, "\(result.stderr)")
        for key in Self.keys { #expect(result.stdout.contains(key), "\(key) missing from \(result.stdout)") }
        let card = try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: out + "/scores.json"))) as? [String: Any]
        #expect(Set((card?["scores"] as? [String: Double])?.keys ?? [:].keys) == Self.keys)
        #expect(card?["factor_names"] as? [String] == ["shape", "scale", "x"])
        #expect(card?["sap_kind"] as? String == "continuous")
        let csv = try String(contentsOfFile: out + "/mutual_information.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.first == "latent,shape,scale,x" && csv.count == 4, "\(csv)")
    }

    @Test func badFilesExit1WithOneLineNamingTheFile() throws {
        let (folder, path) = try Self.archive(poison: { $0[7] = .nan })
        try BoundaryTests.expectRefused(["score", path], code: 1, message: "\(path): codes[2, 1] is nan", watching: folder)
        try BoundaryTests.expectRefused(["score", folder + "/missing.npz", "--json"], code: 1, message: "missing.npz: not found",
                                        watching: folder)
        let (wide, widePath) = try Self.archive(rows: 1_200, factors: { i, f in f == 0 ? Int64(i) : 0 })
        try BoundaryTests.expectRefused(["score", widePath], code: 1, message: "factor 0 has 1200 different values", watching: wide)
        let (constant, constantPath) = try Self.archive(factors: { _, _ in 3 })
        try BoundaryTests.expectRefused(["score", constantPath], code: 1, message: "every factor has a single value", watching: constant)
        let (huge, hugePath) = try Self.archive(poison: { $0[4] = 3e38 })
        try BoundaryTests.expectRefused(["score", hugePath], code: 1, message: "codes[1, 1] is 3e+38, beyond ±1e12", watching: huge)
        let (small, smallPath) = try Self.archive(rows: 10)
        try BoundaryTests.expectRefused(["score", smallPath], code: 1, message: "it holds 10 rows; scoring needs at least", watching: small)
    }

    /// A code beyond `score`'s limits (4,096 latents, 100,000 rows) is refused with one line and
    /// exit 1 before any scoring, and nothing is written.
    @Test func largeCodesBeyondTheLimitsAreRefusedWithOneLine() throws {
        let folder = NSTemporaryDirectory() + "betavae-score-large-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        func write(rows: Int, columns: Int) -> String {
            let path = folder + "/codes-\(rows)x\(columns).npz"
            let factors = (0..<rows).map { Int64($0 % 2) }
            let bytes = NPZ.serialize([
                (name: "codes", array: NPYArray(shape: [rows, columns], storage: .float32([Float](repeating: 0.5, count: rows * columns)))),
                (name: "factors", array: NPYArray(shape: [rows, 1], storage: .int64(factors))),
            ])
            FileManager.default.createFile(atPath: path, contents: Data(bytes))
            return path
        }
        for (path, reason) in [(write(rows: 100_001, columns: 1), "100001 rows"), (write(rows: 40, columns: 4_097), "4097 columns")] {
            let result = try CLITests.run(["score", path, "--json", "--out", folder + "/out"])
            #expect(result.status == 1, "\(result.stderr)")
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].contains(path) && lines[0].contains(reason), "\(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
        #expect(!FileManager.default.fileExists(atPath: folder + "/out"))
    }

    /// More rows than `CodeArchive.poolRows`: every row is read and checked, a seeded pool is scored.
    @Test func archivesBeyondThePoolAreScoredOnASeededPool() throws {
        let (_, path) = try Self.archive(rows: 30_050)
        let result = try CLITests.run(["score", path, "--supervised-points", "20"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("scored on a seeded pool of 30000 of its 30050 rows"), "\(result.stdout)")
        // A bad value in a row outside any pool is still found.
        let (folder, bad) = try Self.archive(rows: 30_050, poison: { $0[30_049 * 3 + 2] = .infinity })
        try BoundaryTests.expectRefused(["score", bad], code: 1, message: "codes[30049, 2] is inf", watching: folder)
    }

    @Test func badOptionsExit64WithOneLine() throws {
        let (folder, path) = try Self.archive()
        try BoundaryTests.expectRefused(["score", path, "--factor-names", "a,,b"], code: 64, message: "--factor-names", watching: folder)
        try BoundaryTests.expectRefused(["score", path, "--factor-names", "a,b"], code: 64,
                                        message: "--factor-names gives 2 names but", watching: folder)
        try BoundaryTests.expectRefused(["score", path, "--sap", "fuzzy"], code: 64, message: "--sap", watching: folder)
        try BoundaryTests.expectRefused(["score", path, "--supervised-points", "0"], code: 64, message: "--supervised-points", watching: folder)
        try BoundaryTests.expectRefused(["score", path, "--out", path], code: 64, message: "is a file, not a folder", watching: folder)
    }

    /// A folder holding `split.npz` with disentanglement_lib's split: `trainRows` rows of the identity
    /// code of three factors, then `testRows` rows whose codes are drawn independently of their
    /// factors (so a classifier fitted on the train side can only guess on the test side).
    static func splitArchive(trainRows: Int = 240, testRows: Int = 120, testColumns: Int = 3,
                             members: Set<String> = ["codes_train", "factors_train", "codes_test", "factors_test"]) throws -> (folder: String, path: String) {
        let folder = NSTemporaryDirectory() + "betavae-split-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var rng = RandomGenerator(seed: 8)
        func factors(_ n: Int) -> [Int64] { (0..<n).flatMap { _ in [3, 5, 8].map { Int64(rng.next() % $0) } } }
        let trainFactors = factors(trainRows), testFactors = factors(testRows)
        let trainCodes = trainFactors.map { Float($0) + 0.01 * rng.normal() }
        let testCodes = factors(testRows).prefix(testRows * 3).enumerated().filter { $0.offset % 3 < testColumns }.map { Float($0.element) }
        let arrays: [(name: String, array: NPYArray)] = [
            ("codes_train", NPYArray(shape: [trainRows, 3], storage: .float32(trainCodes))),
            ("factors_train", NPYArray(shape: [trainRows, 3], storage: .int64(trainFactors))),
            ("codes_test", NPYArray(shape: [testRows, testColumns], storage: .float32(testCodes))),
            ("factors_test", NPYArray(shape: [testRows, 3], storage: .int64(testFactors))),
        ].filter { members.contains($0.name) }
        let path = folder + "/split.npz"
        FileManager.default.createFile(atPath: path, contents: Data(NPZ.serialize(arrays)))
        return (folder, path)
    }

    /// The given split is used exactly: MIG reads the (identity) train rows, DCI is fitted on them
    /// and tested on the test rows, whose codes say nothing, so its informativeness is near chance;
    /// shuffling the rows together would have put identity rows into the test side.
    @Test func aGivenSplitIsUsedExactly() throws {
        let (folder, path) = try Self.splitArchive()
        let out = folder + "/scores"
        let result = try CLITests.run(["score", path, "--json", "--protocol", "quick", "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Double] ?? [:]
        #expect((object["mig"] ?? 0) > 0.9, "\(object)")
        #expect((object["dci_informativeness"] ?? 1) < 0.45, "\(object)")
        #expect((object["dci_disentanglement"] ?? 0) > 0.9, "the train side is the identity code: \(object)")
        let card = try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: out + "/scores.json"))) as? [String: Any]
        #expect(card?["given_split"] as? Bool == true && card?["train_rows"] as? Int == 240 && card?["test_rows"] as? Int == 120)
        #expect(card?["dci_estimator"] as? String == "boosted" && card?["evaluation_protocol"] as? String == "quick")
        let settings = card?["settings"] as? [String: String] ?? [:]
        #expect(settings["dci_disentanglement"]?.contains("GradientBoostingClassifier()") == true, "\(settings)")
        #expect(settings["beta_vae"]?.contains("LogisticRegression()") == true && settings["beta_vae"]?.contains("150 training") == true)
    }

    @Test func aBrokenSplitExits1WithOneLine() throws {
        let (partial, partialPath) = try Self.splitArchive(members: ["codes_train", "factors_train"])
        try BoundaryTests.expectRefused(["score", partialPath], code: 1, message: "but not codes_test, factors_test", watching: partial)
        let (narrow, narrowPath) = try Self.splitArchive(testColumns: 2)
        try BoundaryTests.expectRefused(["score", narrowPath], code: 1, message: "codes_train has 3 columns but codes_test 2", watching: narrow)
        let (short, shortPath) = try Self.splitArchive(testRows: 4)
        try BoundaryTests.expectRefused(["score", shortPath], code: 1, message: "codes_test 4; scoring needs at least", watching: short)
        let (folder, path) = try Self.archive()
        try BoundaryTests.expectRefused(["score", path, "--protocol", "fast"], code: 64, message: "--protocol", watching: folder)
        try BoundaryTests.expectRefused(["score", path, "--dci-estimator", "forest"], code: 64, message: "--dci-estimator", watching: folder)
    }
}
