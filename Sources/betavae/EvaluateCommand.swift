import Analysis
import ArgumentParser
import Datasets
import Engine
import Foundation
import Training

/// `betavae evaluate RUN`: held-out likelihood, latent usage, label information and
/// disentanglement of a saved run, printed and saved to RUN/evaluation.json.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Compute test NELBO, IWAE NLL, KL per dimension, active units, k-NN accuracy (and disentanglement) of a run.")

    @Argument(help: "The run directory.")
    var runPath: String
    @Flag(help: "Print the result as JSON.")
    var json = false
    @Option(help: "Evaluate this epoch's checkpoint (default: the latest).")
    var epoch: Int?
    @Option(help: "Importance samples K per image for the IWAE bound.")
    var iwaeSamples = 1000
    @Option(help: "Evaluate on the first N test images only (default: all).")
    var testLimit: Int?
    @Option(help: "Also write posterior means, log-variances and labels to this .npz file.")
    var exportLatents: String?

    func validate() throws {
        try OptionChecks.iwaeSamples(iwaeSamples)
        if let testLimit, testLimit <= 0 { throw ValidationError("--test-limit must be positive, not \(testLimit)") }
        if let epoch, epoch < 0 { throw ValidationError("--epoch must be ≥ 0, not \(epoch)") }
    }

    func run() throws {
        try reportingErrors {
            let loaded = try LoadedRun.load(runPath, epoch: epoch)
            var options = Evaluator.Options()
            options.iwaeSamples = iwaeSamples
            options.testLimit = testLimit
            options.binarization = Binarization(rawValue: loaded.config.binarize) ?? .none
            options.seed = loaded.config.seed
            options.progress = iwaeProgress(samples: iwaeSamples)
            let result = Self.evaluate(loaded, options: options)
            try AtomicFile.write(result.encoded(), to: loaded.run.evaluation)
            if let exportLatents { try Self.export(loaded, limit: testLimit, to: exportLatents) }
            if json {
                print(String(decoding: result.encoded(), as: UTF8.self), terminator: "")
            } else {
                print(Self.describe(result, config: loaded.config))
                print("saved \(loaded.run.evaluation)")
            }
        }
    }

    static func evaluate(_ loaded: LoadedRun, options: Evaluator.Options) -> EvaluationResult {
        let objective = loaded.config.objective
        let steps = loaded.epoch * ((loaded.config.trainCount + loaded.config.batchSize - 1) / loaded.config.batchSize)
        return Evaluator.evaluate(model: loaded.model, dataset: loaded.dataset, epoch: loaded.epoch, options: options) { recon, kl in
            objective.value(recon: recon, kl: kl, step: steps)
        }
    }

    static func export(_ loaded: LoadedRun, limit: Int?, to path: String) throws {
        let encoded = loaded.model.encodeAll(loaded.dataset.test, limit: limit)
        var arrays: [(name: String, array: NPYArray)] = [
            ("means", NPYArray(shape: encoded.means.shape, storage: .float32(encoded.means.scalars))),
            ("log_variances", NPYArray(shape: encoded.logVariances.shape, storage: .float32(encoded.logVariances.scalars))),
            ("labels", NPYArray(shape: [encoded.count], storage: .int64(encoded.labels.map(Int64.init)))),
        ]
        if let factors = loaded.dataset.test.factors {
            let classes = (0..<encoded.count).flatMap { loaded.dataset.test.factorClasses($0).map(Int64.init) }
            arrays.append(("factor_classes", NPYArray(shape: [encoded.count, factors.names.count], storage: .int64(classes))))
        }
        try NPZ.write(arrays, to: path)
    }

    static func describe(_ r: EvaluationResult, config: RunConfig) -> String {
        var lines = [
            "run \(config.name), epoch \(r.epoch), \(r.test.images) test images",
            String(format: "test NELBO (β = 1)      %9.3f nats", r.test.nelbo),
            String(format: "  reconstruction        %9.3f nats", r.test.recon),
            String(format: "  KL                    %9.3f nats", r.test.kl),
            String(format: "IWAE NLL (K = %d)     %9.3f ± %.3f nats (gap to NELBO %.3f)", r.test.samples, r.test.iwaeNLL,
                   r.test.iwaeStandardError, r.test.nelbo - r.test.iwaeNLL),
            String(format: "training objective      %9.3f", r.objective),
            "active units            \(r.usage.activeUnits.count) of \(r.usage.klPerDimension.count)  \(r.usage.activeUnits.map { "z\($0)" }.joined(separator: " "))",
            "KL per dimension        " + r.usage.dimensionsByKL.prefix(10).map { String(format: "z%d %.2f", $0, r.usage.klPerDimension[$0]) }.joined(separator: "  "),
        ]
        if r.collapseWarning { lines.append("warning: fewer than two active units — the posterior has collapsed") }
        if let knn = r.knnAccuracy, let chance = r.knnChance {
            lines.append(String(format: "5-NN label accuracy     %.4f (chance %.4f)", knn, chance))
        }
        if let d = r.disentanglement {
            if let v = d.betaVAE { lines.append(String(format: "BetaVAE score           %.4f", v)) }
            if let v = d.factorVAE { lines.append(String(format: "FactorVAE score         %.4f", v)) }
            if let v = d.mig { lines.append(String(format: "MIG                     %.4f", v)) }
            if let v = d.gaussianTotalCorrelation { lines.append(String(format: "Gaussian TC             %.4f nats", v)) }
        }
        return lines.joined(separator: "\n")
    }
}

/// A progress line for the IWAE estimate on a terminal (stderr), nil when stderr is not a terminal.
func iwaeProgress(samples: Int) -> (@Sendable (Int, Int) -> Void)? {
    guard isatty(STDERR_FILENO) == 1 else { return nil }
    return { done, total in
        let line = done < total ? "\rIWAE (K = \(samples)): \(100 * done / max(total, 1))% of \(total) test images " : "\r\u{1B}[K"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
