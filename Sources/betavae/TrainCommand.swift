import ArgumentParser
import Datasets
import Engine
import Foundation
import Report
import Training

/// `betavae train`: trains one model into a run directory (or continues one with --resume).
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a VAE, β-VAE, capacity-annealed β-VAE, CVAE or autoencoder into a run directory.",
        discussion: """
        Writes RUN/config.json, RUN/metrics.csv, RUN/checkpoints/ and RUN/snapshots/ (see README).
        Ctrl-C finishes the current step, saves a checkpoint and exits with 130; continue with --resume RUN.
        """)

    @OptionGroup var options: TrainOptions
    @Option(help: "Run directory (default: runs/DATASET-MODEL-betaB-seedS).")
    var out: String?
    @Option(help: "Continue the run in this directory from its latest checkpoint.")
    var resume: String?
    @Flag(help: "Overwrite an existing run in --out.")
    var force = false
    @Flag(help: "Rewrite the run's report (loss curves, KL per dimension, reconstructions) after every epoch; while training the page says so and reloads itself, and the full report replaces it at the end.")
    var liveReport = false
    @Option(help: "With --live-report: the report folder (default: reports/NAME).")
    var reportOut: String?
    @Option(help: "With --live-report: importance samples K of the final report's evaluation.")
    var iwaeSamples = 1000

    func validate() throws {
        try OptionChecks.iwaeSamples(iwaeSamples)
        if !liveReport && (reportOut != nil || iwaeSamples != 1000) {
            throw ValidationError("--\(reportOut != nil ? "report-out" : "iwae-samples") applies only with --live-report")
        }
    }

    func run() throws {
        let outcome = try reportingErrors { () throws -> TrainingOutcome in
            if let resume {
                try options.checkResumable()
                let run = RunDirectory(resume)
                let changes = RunTraining.Changes(epochs: options.epochs, steps: options.steps, learningRate: options.changedLearningRate,
                                                  keepCheckpoints: options.keepCheckpoints)
                guard liveReport else { return try RunTraining.resume(run, changes: changes, progress: Self.defaultProgress()) }
                guard run.exists else { throw TrainingError.runNotFound(path: run.path) }
                let config = try RunConfig.read(path: run.config)
                let dataset = try DatasetCatalog.load(config.dataset, options: config.datasetOptions)
                let live = try liveProgress(run: run, dataset: dataset)
                return try live.finish(Result { try RunTraining.resume(run, changes: changes, dataset: dataset, progress: live) })
            }
            try options.checkCombination()
            let run = RunDirectory(out ?? "runs/" + options.defaultRunName)
            try RunTraining.checkFree(run, force: force)
            let dataset = try DatasetCatalog.load(options.dataset, options: options.datasetOptions)
            let config = try options.config(name: run.name, dataset: dataset)
            guard liveReport else {
                return try RunTraining.start(config, dataset: dataset, run: run, force: force, progress: Self.defaultProgress())
            }
            let live = try liveProgress(run: run, dataset: dataset)
            return try live.finish(Result { try RunTraining.start(config, dataset: dataset, run: run, force: force, progress: live) })
        }
        if outcome.interrupted { throw ExitCode(130) }
    }

    /// The templates are found before training starts, so a missing one costs no training.
    func liveProgress(run: RunDirectory, dataset: Dataset) throws -> LiveReportProgress {
        LiveReportProgress(wrapping: Self.defaultProgress(), run: run.path, out: reportOut ?? "reports/" + run.name, dataset: dataset,
                           templates: try Templates(), iwaeSamples: iwaeSamples)
    }

    static func defaultProgress() -> ProgressReporter {
        isatty(STDERR_FILENO) == 1 ? TerminalProgress() : PlainProgress()
    }
}
