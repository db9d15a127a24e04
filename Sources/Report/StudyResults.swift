import Analysis
import Foundation
import Training

/// A study's runs as its page sees them: which are in (trained and evaluated), and each one's
/// scores by key. The keys are whatever numbers evaluation.json's disentanglement section holds
/// (`beta_vae`, `mig`, …, and any score a later evaluator adds), so new metrics appear on the page
/// without changes here; `reconstruction` is the test reconstruction error in nats.
public struct StudyResults {
    /// One evaluated run.
    public struct Record {
        public var member: StudyPlan.Member
        public var path: String
        /// Score key → value on the posterior means.
        public var scores: [String: Double]
        /// Test reconstruction error, nats per image (lower is better).
        public var reconstruction: Double
    }

    public let study: StudyPlan
    public let sweep: SweepPlan
    public let records: [Record]
    /// Runs without an evaluation yet, with why (not started, running, failed: …).
    public let missing: [(name: String, reason: String)]

    public var total: Int { study.members.count }

    /// Every score key some run has, disentanglement_lib's order first (`CodeScores.keys`), then
    /// any other in alphabetical order.
    public var scoreKeys: [String] {
        let present = Set(records.flatMap(\.scores.keys))
        let known = CodeScores.keys.filter(present.contains)
        return known + present.subtracting(known).sorted()
    }

    /// The datasets with at least one run in, in the study's order.
    public var datasets: [String] { study.datasets.filter { d in records.contains { $0.member.dataset == d } } }

    /// Reads each run's evaluation.json (only those of its last epoch count). `states` are the runs'
    /// states as the executor sees them, to say why a run is not in.
    public static func load(study: StudyPlan, sweep: SweepPlan, states: [RunState]) throws -> StudyResults {
        var records: [Record] = [], missing: [(String, String)] = []
        for (index, (member, entry)) in zip(study.members, sweep.runs).enumerated() {
            let evaluation = states[index].isFinished ? try StudyPlan.finishedEvaluation(entry) : nil
            guard let evaluation else {
                missing.append((member.name, states[index].isFinished ? "trained, not evaluated yet" : states[index].description))
                continue
            }
            records.append(Record(member: member, path: entry.path, scores: scores(of: evaluation), reconstruction: evaluation.test.recon))
        }
        return StudyResults(study: study, sweep: sweep, records: records, missing: missing)
    }

    /// The numeric fields of the evaluation's disentanglement scores, keyed in snake case as
    /// disentanglement_lib names them (`dciDisentanglement` → `dci_disentanglement`), and the keyed
    /// ones (explicitness and the metrics after disentanglement_lib) under their own keys, except
    /// DCI-ES size: factors / latents, the same for every run of a dataset and Z, so not a score of the model.
    public static func scores(of evaluation: EvaluationResult) -> [String: Double] {
        guard let scores = evaluation.disentanglement, let data = try? JSONEncoder().encode(scores),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        var result: [String: Double] = [:]
        for (key, value) in object {
            // Only numbers: the factor names, matrices and timings are not scores (the section has no flags).
            guard !(value is [Any]), !(value is [String: Any]), !(value is String), let number = value as? Double, number.isFinite else { continue }
            result[snakeCase(key)] = number
        }
        for (key, number) in evaluation.disentanglement?.extendedScores ?? [:] where key != "dci_es_size" && number.isFinite {
            result[key] = number
        }
        return result
    }

    /// `betaVAE` → `beta_vae`, `gaussianTotalCorrelation` → `gaussian_total_correlation`.
    static func snakeCase(_ key: String) -> String {
        var out = ""
        var previousLower = false
        for character in key {
            if character.isUppercase && previousLower { out += "_" }
            out += character.lowercased()
            previousLower = character.isLowercase || character.isNumber
        }
        return out
    }

    /// How the page names a score.
    public static func title(_ key: String) -> String {
        if key == "reconstruction" { return "reconstruction (nats)" }
        if key == "gaussian_total_correlation" { return "Gaussian TC" }
        if key == "mig_masked" { return "MIG, inactive latents masked" }
        if key == "modularity_masked" { return "modularity, inactive latents masked" }
        return SeedFigures.scores.first { $0.key == key }?.title ?? key.replacingOccurrences(of: "_", with: " ")
    }

    /// The records of `dataset` and `method`, grouped by hyperparameter value in the method's grid order.
    func groups(dataset: String, method: StudyPlan.Method) -> [(value: Double, records: [Record])] {
        method.values.map { value in
            (value, records.filter { $0.member.dataset == dataset && $0.member.method == method.name && $0.member.value == value })
        }
    }

    /// A record's value of `key` (`reconstruction` included).
    static func value(_ record: Record, _ key: String) -> Double? {
        key == "reconstruction" ? record.reconstruction : record.scores[key]
    }
}
