import ArgumentParser
import Datasets
import Engine
import Foundation
import Report
import Training

/// `betavae sweep --betas 0.1,1,4,10`: one run per β, a report for each, and their comparison.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Train one run per β, report each, compare them, and print the comparison page's path.",
        discussion: "Runs go to OUT/NAME-betaB (NAME is OUT's last component); finished runs are reused and unfinished ones resumed unless --force.")

    @Option(help: "The β values, comma-separated.")
    var betas = "0.1,1,4,10"
    @OptionGroup var options: TrainOptions
    @Option(help: "Folder for the sweep's runs (default: runs/sweep).")
    var out = "runs/sweep"
    @Option(help: "Runs trained at once (each gets threads/jobs OpenBLAS threads).")
    var jobs = 1
    @Option(help: "Importance samples K for each run's IWAE bound.")
    var iwaeSamples = 200
    @Option(help: "Folder the reports go to.")
    var reports = "reports"
    @Flag(help: "Retrain runs that already exist.")
    var force = false

    /// The β values: finite, ≥ 0, each naming its own run (0.1 and 0.10 are the same β).
    func parsedBetas() throws -> [Double] {
        let values = try OptionChecks.list(betas, option: "--betas").map { item -> Double in
            guard let value = Double(item), value.isFinite, value >= 0 else {
                throw ValidationError("--betas must be finite β ≥ 0 separated by commas; '\(item)' is not")
            }
            return value
        }
        var seen = Set<String>()
        for value in values where !seen.insert(TrainOptions.compact(value)).inserted {
            throw ValidationError("--betas names β = \(TrainOptions.compact(value)) twice; give each β once")
        }
        return values
    }

    func validate() throws {
        _ = try parsedBetas()
        guard (1...RunConfig.threadLimit).contains(jobs) else { throw ValidationError("--jobs must be 1…\(RunConfig.threadLimit), not \(jobs)") }
        try OptionChecks.iwaeSamples(iwaeSamples)
    }

    func run() throws {
        try reportingErrors {
            try checkCombination()
            let name = URL(fileURLWithPath: out).lastPathComponent
            let betaValues = try parsedBetas()
            // The data is loaded once and shared by every run, its training and its report.
            let dataset = try DatasetCatalog.load(options.dataset, options: options.datasetOptions)
            let runs = try betaValues.map { beta -> SweepRun in
                var runOptions = options
                runOptions.beta = beta
                runOptions.threads = max(1, options.threads / jobs)
                if runOptions.epochs == nil { runOptions.epochs = 20 }
                let run = RunDirectory("\(out)/\(name)-beta\(TrainOptions.compact(beta))")
                return SweepRun(config: try runOptions.config(name: run.name, dataset: dataset), run: run)
            }
            let failures = SweepTraining.train(runs, dataset: dataset, jobs: jobs, force: force) { LabelledProgress(label: $0) }
            if SignalWatcher.stopRequested { throw ExitCode(130) }
            if let first = failures.first { throw TrainingError.io(first) }
            let loaded = try runs.map { try LoadedRun.load($0.run.path, dataset: dataset) }
            let templates = try Templates()
            let policy = OptionChecks.evaluationPolicy(iwaeSamples: iwaeSamples)
            var pages: [String] = []
            for run in loaded {
                pages.append(try RunReport.write(run, to: "\(reports)/\(run.run.name)", policy: policy, templates: templates))
                writeLine("report: \(pages.last ?? "")")
            }
            let comparison = loaded.count >= 2
                ? try Comparison.write(loaded: loaded, to: "\(reports)/\(name)", policy: policy, templates: templates) : pages[0]
            let index = try ReportIndex.write(reportsFolder: reports, templates: templates)
            writeLine("index: \(index)")
            writeLine(comparison)
        }
    }

    /// Options a β sweep cannot honour are refused rather than ignored.
    func checkCombination() throws {
        try options.checkCombination()
        let defaults = try TrainOptions.parse([])
        if options.beta != defaults.beta { throw ValidationError("--beta: a sweep takes β from --betas; leave --beta out") }
        if options.objective != .beta {
            throw ValidationError("--objective \(options.objective.rawValue): a sweep varies β of the beta objective; train capacity runs with 'betavae train'")
        }
        if options.deterministic { throw ValidationError("--deterministic: an autoencoder has no β, so every run of the sweep would be the same") }
    }
}

/// One plain line per epoch, prefixed with the run's name (several runs may train at once).
final class LabelledProgress: ProgressReporter {
    let label: String
    init(label: String) { self.label = label }
    func step(epoch: Int, epochs: Int, batch: Int, batches: Int, imagesPerSecond: Double, loss: Double, secondsLeft: Double) {}
    func epochFinished(_ line: String) { writeLine("[\(label)] \(line)") }
    func message(_ line: String) { writeLine("[\(label)] \(line)") }
}
