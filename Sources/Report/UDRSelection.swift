import Analysis
import Engine
import Foundation
import Training

/// UDR (`UDRScore`; Duan et al. 2020) as the study page's unsupervised model selection. As in the
/// paper and in Locatello et al.'s use of it, a run is compared only with the other seeds of its
/// own setting (the method's runs with the same configuration but for the seed): each run's test-set
/// posterior means of its latest snapshot, and the per-latent KL of its last test row in
/// metrics.csv. A run alone in its setting, or whose snapshot or test row is missing, or whose
/// setting's snapshots do not encode the same test images, gets no score.
struct UDRSelection: UnsupervisedModelSelection {
    let name = "UDR (Spearman)"

    /// Config keys that do not make a setting: bookkeeping, and the seed UDR compares across.
    static let ignoredKeys: Set<String> = ["name", "toolVersion", "threads", "seed"]

    private struct Loaded {
        var setting: String
        var means: Tensor
        var labels: [Int]
        var kl: [Double]
    }

    func scores(runs: [String]) throws -> [Double?] {
        let loaded = runs.map(Self.load)
        var scores = [Double?](repeating: nil, count: runs.count)
        var settings: [String: [Int]] = [:]
        for (index, run) in loaded.enumerated() {
            if let run { settings[run.setting, default: []].append(index) }
        }
        for members in settings.values where members.count >= 2 {
            let group = members.compactMap { loaded[$0] }
            guard let first = group.first, first.means.rows >= 2,
                  group.allSatisfy({ $0.means.rows == first.means.rows && $0.labels == first.labels && $0.means.columns == $0.kl.count })
            else { continue }
            let result = UDRScore.score(means: group.map(\.means), klPerDimension: group.map(\.kl))
            for (member, score) in zip(members, result.modelScores) { scores[member] = score }
        }
        return scores
    }

    /// The run's setting key, latest snapshot means and last test row's KL; nil when any is missing.
    private static func load(_ path: String) -> Loaded? {
        let run = RunDirectory(path)
        guard let config = try? RunConfig.read(path: run.config), let epoch = run.snapshotEpochs().last,
              let snapshot = try? Snapshot.load(path: run.snapshot(epoch: epoch), spec: config.model),
              let log = try? MetricsLog.read(path: run.metrics, latent: config.model.latent, termNames: config.objective.termNames),
              let kl = log.rows(split: "test").last?.klPerDimension,
              var object = (try? JSONSerialization.jsonObject(with: Data(config.encoded()))) as? [String: Any] else { return nil }
        for key in ignoredKeys { object.removeValue(forKey: key) }
        guard let keyData = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return nil }
        return Loaded(setting: String(decoding: keyData, as: UTF8.self), means: snapshot.means, labels: snapshot.labels, kl: kl)
    }
}
