import ArgumentParser
import Datasets
import Engine
import Foundation
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

    func run() throws {
        let outcome = try reportingErrors { () throws -> TrainingOutcome in
            if let resume {
                try options.checkResumable()
                return try RunTraining.resume(RunDirectory(resume), changes: .init(epochs: options.epochs, learningRate: options.changedLearningRate,
                                                                                        keepCheckpoints: options.keepCheckpoints),
                                              progress: Self.defaultProgress())
            }
            try options.checkCombination()
            let run = RunDirectory(out ?? "runs/" + options.defaultRunName)
            try RunTraining.checkFree(run, force: force)
            let dataset = try DatasetCatalog.load(options.dataset, options: options.datasetOptions)
            return try RunTraining.start(options.config(name: run.name, dataset: dataset), dataset: dataset, run: run, force: force,
                                         progress: Self.defaultProgress())
        }
        if outcome.interrupted { throw ExitCode(130) }
    }

    static func defaultProgress() -> ProgressReporter {
        isatty(STDERR_FILENO) == 1 ? TerminalProgress() : PlainProgress()
    }
}
