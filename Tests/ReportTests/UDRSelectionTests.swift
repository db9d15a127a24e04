import Engine
import Foundation
import Testing
@testable import Report
import Training

/// The study page's UDR pick on known representations of the same 200 inputs: within a setting,
/// a seed whose code is another's latents reordered and sign-flipped agrees with it one to one,
/// while a seed whose code is noise agrees with neither, so the noise run is never the pick.
@Suite struct UDRSelectionTests {
    static let rows = 200, latent = 4

    static func codes(_ scalars: [Float], inputs: String = "same images") -> UDRCodes {
        UDRCodes(means: Tensor(shape: [rows, latent], scalars: scalars), klPerDimension: [1, 1, 1, 1], inputs: inputs, epoch: 1, step: 10)
    }

    static func noise(seed: UInt64) -> [Float] {
        var rng = RandomGenerator(seed: seed)
        return (0..<(rows * latent)).map { _ in rng.normal() }
    }

    static let first = noise(seed: 1)
    /// The first seed's latents in the order 2, 0, 3, 1, the second one's sign flipped.
    static let permuted: [Float] = (0..<rows).flatMap { (r: Int) -> [Float] in
        let row = Array(first[(r * latent)..<((r + 1) * latent)])
        return [row[2], -row[0], row[3], row[1]]
    }

    @Test func theNoiseSeedIsNotPicked() {
        let all = [Self.codes(Self.first), Self.codes(Self.permuted), Self.codes(Self.noise(seed: 2))]
        for order in [[0, 1, 2], [2, 0, 1], [1, 2, 0]] {
            let scores = UDRSelection.scores(settings: order.map { _ in "beta 4" }) { all[order[$0]] }
            let values = scores.compactMap { $0 }
            #expect(values.count == 3, "\(scores)")
            let noiseAt = order.firstIndex(of: 2)!
            // The pair that agrees scores about 0.9, a pair with the noise about 0.04; each run's UDR is the median (here the mean) of its two pairs.
            #expect(values[noiseAt] < 0.15 && values.enumerated().allSatisfy { $0.offset == noiseAt || $0.element > 0.35 }, "\(scores)")
            guard case .run(let picked, _) = SelectionPick(scores: scores) else { Issue.record("no pick from \(scores)"); continue }
            #expect(picked != noiseAt, "picked the noise run: \(scores)")
        }
    }

    @Test func runsAloneOrOnOtherInputsGetNoScore() {
        var asked: [Int] = []
        let all = [Self.codes(Self.first), Self.codes(Self.permuted), Self.codes(Self.noise(seed: 3)), Self.codes(Self.first)]
        // Run 2 is alone in its setting (its codes are not even read); run 3's config is unreadable.
        let scores = UDRSelection.scores(settings: ["beta 1", "beta 1", "beta 8", nil]) { asked.append($0); return all[$0] }
        #expect(scores[0] != nil && scores[1] != nil && scores[2] == nil && scores[3] == nil && asked == [0, 1], "\(scores) \(asked)")
        // Two seeds: both get their one pair's score; the only scored setting's runs tie, so there is no pick.
        #expect(scores[0] == scores[1] && SelectionPick(scores: scores) == .tied(scores[0] ?? -1, count: 2))
        // One seed per setting: nothing to compare.
        #expect(SelectionPick(scores: UDRSelection.scores(settings: ["beta 1", "beta 8"]) { all[$0] }) == .unscored)
        // Seeds that encoded different images are not compared (the bug of snapshots' seeded test splits).
        let other = [Self.codes(Self.first), Self.codes(Self.permuted, inputs: "other images")]
        #expect(UDRSelection.scores(settings: ["beta 1", "beta 1"]) { other[$0] } == [nil, nil])
    }

    @Test func equalScoresAreNoPick() {
        #expect(SelectionPick(scores: [0, 0, nil, 0]) == .tied(0, count: 3))
        #expect(SelectionPick(scores: [nil, nil]) == .unscored)
        #expect(SelectionPick(scores: [0.2, 0.9, 0.9, nil]) == .run(1, ties: [2]))
        #expect(SelectionPick(scores: [0.2, 0.9, 0.5]) == .run(1, ties: []))
    }

    /// The page's rows for a study of `seeds` whose runs are not on disk (UDR cannot read them).
    static func pageRows(seeds: [UInt64]) throws -> [String] {
        let study = StudyPlan(preset: "locatello2019", datasets: ["sprites"], methods: [.init(name: "beta", values: [1, 8])], seeds: seeds, steps: 10,
                              evaluation: .init(), members: [])
        let records = [1.0, 8.0].flatMap { value in seeds.map { seed in
            StudyResults.Record(member: .init(name: "sprites-beta-\(value)-seed\(seed)", method: "beta", value: value, seed: seed, dataset: "sprites"),
                                path: "/nonexistent/run-\(value)-\(seed)", scores: ["mig": value / 10], reconstruction: 50)
        } }
        let results = StudyResults(study: study, sweep: SweepPlan(folder: "/nonexistent", reports: "/nonexistent", iwaeSamples: 1, workingDirectory: "/", runs: []),
                                   records: records, missing: [])
        return try StudyTables.selection(results, keys: ["mig"]).rows.map { ($0["pick"] as? String ?? "") + (($0["reason"] as? String).map { " — " + $0 } ?? "") }
    }

    @Test func aStudyWithOneSeedSaysSoInsteadOfPicking() throws {
        let rows = try Self.pageRows(seeds: [3])
        #expect(rows == ["UDR: no pick — one seed per β (seed 3): UDR compares a run with the other seeds of its setting, so it needs two or more (--seeds 0,1,…)",
                         "best by each score", "median"], "\(rows)")
        let unread = try Self.pageRows(seeds: [0, 1])
        #expect(unread.first?.hasPrefix("UDR: no pick — it scored none of the runs") == true, "\(unread)")
    }
}
