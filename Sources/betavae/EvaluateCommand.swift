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
    @Option(help: "Importance samples K per image for the IWAE bound (default: per architecture, \(EvaluationDefaults.samplesByArchitecture)).")
    var iwaeSamples: Int?
    @Option(help: "The IWAE bound over the first N test images (default: per architecture, \(EvaluationDefaults.imagesByArchitecture)).")
    var iwaeImages: Int?
    @Option(help: "Evaluate on the first N test images only (default: all).")
    var testLimit: Int?
    @Option(help: "Also write posterior means, log-variances and labels to this .npz file.")
    var exportLatents: String?
    @Option(help: "Disentanglement sample sizes: quick (BetaVAE/FactorVAE on 150 + 75 points of 32) or dlib (disentanglement_lib's 10,000 + 5,000 of 64; docs/metrics.md has the cost).")
    var `protocol`: EvaluationProtocol = .quick

    func validate() throws {
        try OptionChecks.iwaeSamples(iwaeSamples)
        if let iwaeImages, iwaeImages <= 0 { throw ValidationError("--iwae-images must be positive, not \(iwaeImages)") }
        if let testLimit, testLimit <= 0 { throw ValidationError("--test-limit must be positive, not \(testLimit)") }
        if let epoch, epoch < 0 { throw ValidationError("--epoch must be ≥ 0, not \(epoch)") }
    }

    func run() throws {
        try reportingErrors {
            // Every output is checked before the work (evaluation.json in the run, the export).
            let run = RunDirectory(runPath)
            guard run.exists else { throw TrainingError.runNotFound(path: run.path) }
            try OutputCheck.file(run.evaluation)
            if let exportLatents { try OutputCheck.file(exportLatents, option: "--export-latents") }
            let loaded = try LoadedRun.load(runPath, epoch: epoch)
            let options = loaded.evaluatorOptions(iwaeSamples: iwaeSamples, iwaeImages: iwaeImages, testLimit: testLimit,
                                                  toolVersion: ToolVersion.string, evaluationProtocol: `protocol`, progress: iwaeProgress())
            FileHandle.standardError.write(Data("betavae: evaluating \(loaded.run.path): \(loaded.workSummary(options: options))\n".utf8))
            let result = try loaded.evaluateAndSave(options: options)
            if let exportLatents { try loaded.exportLatents(limit: testLimit, to: exportLatents) }
            if json {
                print(String(decoding: result.encoded(), as: UTF8.self), terminator: "")
            } else {
                print(Self.describe(result, config: loaded.config))
                print("saved \(loaded.run.evaluation)")
            }
        }
    }

    static func describe(_ r: EvaluationResult, config: RunConfig) -> String {
        var lines = [
            "run \(config.name), epoch \(r.epoch) (step \(r.key.step)), \(r.key.testImages) test images, binarisation \(r.key.binarization)",
            String(format: "test NELBO (β = 1)      %9.3f nats (one z per image, as metrics.csv)", r.test.nelbo),
            String(format: "  reconstruction        %9.3f nats", r.test.recon),
            String(format: "  KL                    %9.3f nats", r.test.kl),
            String(format: "IWAE NLL (K = %d)     %9.3f ± %.3f nats (standard error; %d test images; %.3f below their NELBO)",
                   r.test.samples, r.test.iwaeNLL, r.test.iwaeStandardError, r.test.images, r.test.iwaeGap),
            String(format: "training objective      %9.3f", r.objective),
        ] + config.objective.termNames.compactMap { name in
            r.objectiveTerms?[name].map { String(format: "  %-21@ %9.3f", name as NSString, $0) }
        } + [
            "active units            \(r.usage.activeUnits.count) of \(r.usage.klPerDimension.count)  \(r.usage.activeUnits.map { "z\($0)" }.joined(separator: " "))",
            "KL per dimension        " + r.usage.dimensionsByKL.prefix(10).map { String(format: "z%d %.2f", $0, r.usage.klPerDimension[$0]) }.joined(separator: "  "),
        ]
        if r.collapseWarning { lines.append("warning: fewer than two active units — the posterior has collapsed") }
        if let knn = r.knnAccuracy, let chance = r.knnChance {
            lines.append(String(format: "5-NN label accuracy     %.4f (chance %.4f)", knn, chance))
        }
        if let d = r.disentanglement {
            // Mean ± sd over the evaluation seeds (the value alone in evaluations made before spreads).
            func score(_ title: String, _ key: String, _ value: Double?) {
                guard let value else { return }
                let spread = d.details?.spread[key].map { String(format: " ± %.4f", $0) } ?? ""
                let sampled = d.details?.sampled[key].map { String(format: "   sampled z %.4f", $0) + (d.details?.sampledSpread[key].map { String(format: " ± %.4f", $0) } ?? "") } ?? ""
                lines.append(title.padding(toLength: 24, withPad: " ", startingAt: 0) + String(format: "%.4f", value) + spread + sampled)
            }
            score("BetaVAE score", "beta_vae", d.betaVAE)
            score("FactorVAE score", "factor_vae", d.factorVAE)
            score("MIG", "mig", d.mig)
            score("SAP", "sap", d.sap)
            score("DCI disentanglement", "dci_disentanglement", d.dciDisentanglement)
            score("DCI completeness", "dci_completeness", d.dciCompleteness)
            score("DCI informativeness", "dci_informativeness", d.dciInformativeness)
            score("modularity", "modularity", d.modularity)
            score("MIG, inactive masked", "mig_masked", d.migMasked)
            score("modularity, masked", "modularity_masked", d.modularityMasked)
            if let details = d.details {
                let sizes = (d.evaluationProtocol.flatMap(EvaluationProtocol.init(rawValue:)) ?? .quick).summary
                lines.append("  (mean ± sd over \(details.repeats) evaluation seeds on \(details.source); \(sizes); evaluation.json's details say how each was computed)")
            }
            if let v = d.gaussianTotalCorrelation { lines.append(String(format: "Gaussian TC             %.4f nats", v)) }
        }
        return lines.joined(separator: "\n")
    }
}

/// The IWAE estimate's progress on stderr: a percentage line rewritten in place on a terminal;
/// elsewhere (a log, a pipe, a Slurm task) a line at each tenth of the images with the time left.
func iwaeProgress() -> (@Sendable (Int, Int) -> Void)? {
    let clock = ProgressClock()
    let terminal = isatty(STDERR_FILENO) == 1
    return { done, total in
        if terminal {
            let line = done < total ? "\rIWAE: \(100 * done / max(total, 1))% of \(total) test images " : "\r\u{1B}[K"
            FileHandle.standardError.write(Data(line.utf8))
        } else if let line = clock.tenth(done: done, total: total) {
            FileHandle.standardError.write(Data(("IWAE: " + line + "\n").utf8))
        }
    }
}

/// Says, once per tenth of a job, how far it is and how long the rest will take at the rate so far.
final class ProgressClock: @unchecked Sendable {
    private var start = Date()
    private var toldTenths = 0
    private let lock = NSLock()

    /// "300 of 500 test images, 12 s so far, about 8 s left" when `done` enters a new tenth of `total`.
    func tenth(done: Int, total: Int) -> String? {
        lock.lock(); defer { lock.unlock() }
        if done == 0 { start = Date(); toldTenths = 0 }   // the job starts now, not when the command did
        let tenths = total > 0 ? 10 * done / total : 10
        guard tenths > toldTenths else { return nil }
        toldTenths = tenths
        let elapsed = Date().timeIntervalSince(start)
        let left = done < total ? String(format: ", about %.0f s left", elapsed * Double(total - done) / Double(max(done, 1))) : ""
        return "\(done) of \(total) test images, " + String(format: "%.0f s so far", elapsed) + left
    }
}
