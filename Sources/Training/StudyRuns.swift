import Analysis
import Datasets
import Foundation

/// What a study does with each run beyond training it: evaluate it with every metric (the
/// evaluator's full set: likelihood, latent usage and every disentanglement score the dataset's
/// factors allow, on the posterior means), and find that evaluation again for the study page.
extension StudyPlan {
    /// The evaluator's options for `loaded` under this study's evaluation settings.
    public func evaluatorOptions(_ loaded: LoadedRun) -> Evaluator.Options {
        loaded.evaluatorOptions(iwaeSamples: evaluation.iwaeSamples, iwaeImages: evaluation.iwaeImages, testLimit: evaluation.testLimit,
                                toolVersion: ToolVersion.string, evaluationProtocol: evaluation.scoreProtocol)
    }

    /// Evaluates the finished run `entry` (the saved evaluation.json when its key matches, else
    /// computed and saved into the run folder), and saves its UDR codes (`UDRCodes`: the common
    /// inputs every seed of its setting encodes) for the page's unsupervised model selection.
    public func evaluate(_ entry: SweepPlan.Entry, dataset: Dataset? = nil, announce: (String) -> Void = { _ in }) throws -> EvaluationResult {
        let loaded = try LoadedRun.load(entry.path, dataset: dataset)
        let result = try loaded.evaluation(options: evaluatorOptions(loaded), announce: announce)
        _ = try UDRCodes.of(loaded, save: true)
        return result
    }

    /// The run's saved evaluation when it is of the run's last epoch (what the page shows); nil
    /// when there is none yet. A file that is there but not a valid evaluation of the run throws.
    public static func finishedEvaluation(_ entry: SweepPlan.Entry) throws -> EvaluationResult? {
        guard let data = FileManager.default.contents(atPath: entry.run.evaluation) else { return nil }
        let result = try EvaluationResult.decode(Array(data), path: entry.run.evaluation, latent: entry.config.model.latent)
        return result.epoch == entry.config.epochs ? result : nil
    }
}

/// How long a study's run takes here, measured before the study starts.
public enum StudyTiming {
    /// Seconds per optimiser step of `config` on `dataset`, from a few timed steps of a throwaway model.
    public static func secondsPerStep(_ config: RunConfig, dataset: Dataset) -> Double {
        Trainer(config: config, dataset: dataset, run: RunDirectory("/dev/null/unused"), progress: SilentProgress()).measureSecondsPerStep()
    }

    /// "about 3 min 20 s" for a duration in seconds.
    public static func spoken(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "an unknown time" }
        let s = Int(seconds.rounded())
        if s < 60 { return "about \(max(s, 1)) s" }
        if s < 3600 { return "about \(s / 60) min \(s % 60) s" }
        if s < 86_400 { return "about \(s / 3600) h \(s % 3600 / 60) min" }
        return String(format: "about %.1f days", seconds / 86_400)
    }
}
