import ArgumentParser
import Datasets
import Engine
import Foundation
import Models
import Report
import Training

/// `betavae sweep --betas 0.1,1,4,10 [--seeds 0,1]`: one run per β and seed, a report for each,
/// and their comparison; here (`--executor local`) or as a Slurm job array (`--executor slurm`).
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Train one run per β (and seed), report each, compare them, and print the comparison page's path.",
        discussion: """
        Runs go to OUT/NAME-betaB, or OUT/NAME-betaB-seedS with several --seeds, with every --vary value in the name too \
        (OUT/NAME-beta4-latent10-seed2; NAME is OUT's last component); \
        finished runs are reused and unfinished ones resumed unless --force. With --executor slurm the sweep is \
        submitted with sbatch as a job array (one task per unfinished run) and a comparison job that runs after it; \
        follow it with 'betavae sweep --status OUT'.
        """)

    @Option(help: "The β values, comma-separated, each 0…1,000,000 (default: 0.1,1,4,10 when the objective takes a β).")
    var betas: String?
    @Option(help: "Seeds, comma-separated: every β is trained once per seed (default: --seed).")
    var seeds: String?
    @Option(help: ArgumentHelp("Vary any train option too, as KEY=V1,V2,… (repeatable; a grid with --betas and --seeds), e.g. --vary latent=5,10.",
                               valueName: "key=values"))
    var vary: [String] = []
    @OptionGroup var options: TrainOptions
    @Option(help: "Folder for the sweep's runs (default: runs/sweep).")
    var out = "runs/sweep"
    @Option(help: "Runs trained at once (each gets threads/jobs engine threads; local executor).")
    var jobs = 1
    @Option(help: "Importance samples K for each run's IWAE bound.")
    var iwaeSamples = 200
    @Option(help: "Folder the reports go to.")
    var reports = "reports"
    @Flag(help: "Retrain runs that already exist (local executor).")
    var force = false

    @Option(help: "Where runs train: local (this machine, --jobs at once) or slurm (a job array submitted with sbatch).")
    var executor = Executor.local
    @Option(help: "Slurm partition for the tasks (default: the cluster's default partition).")
    var partition: String?
    @Option(help: "Slurm time limit per task, [D-]HH:MM:SS; tasks checkpoint before it and are requeued.")
    var time: String?
    @Option(help: "CPUs per Slurm task, also the task's engine threads (default: --threads).")
    var cpusPerTask: Int?
    @Option(help: "Memory per Slurm task, like 4G (default: the partition's).")
    var mem: String?
    @Option(help: "A further sbatch option for every job, written --sbatch-arg=--account=lab (repeatable).")
    var sbatchArg: [String] = []
    @Option(help: "Show each run's state in this sweep folder (queued, running, finished, failed) and exit.")
    var status: String?

    enum Executor: String, ExpressibleByArgument, CaseIterable { case local, slurm }

    static let defaultBetas: [Double] = [0.1, 1, 4, 10]

    /// The β values given: finite, ≥ 0, each naming its own run (0.1 and 0.10 are the same β);
    /// nil without --betas.
    func parsedBetas() throws -> [Double]? {
        guard let betas else { return nil }
        let values = try OptionChecks.list(betas, option: "--betas").map { item -> Double in
            guard let value = Double(item), value.isFinite, value >= 0 else {
                throw ValidationError("--betas must be finite β ≥ 0 separated by commas; '\(item)' is not")
            }
            if let problem = Objective.weightProblem("--betas", value) { throw ValidationError(problem) }
            return value
        }
        var seen = Set<String>()
        for value in values where !seen.insert(TrainOptions.compact(value)).inserted {
            throw ValidationError("--betas names β = \(TrainOptions.compact(value)) twice; give each β once")
        }
        return values
    }

    /// The seeds: whole numbers ≥ 0, each once; without --seeds, --seed alone.
    func parsedSeeds() throws -> [UInt64] {
        guard let seeds else { return [options.seed] }
        let values = try OptionChecks.list(seeds, option: "--seeds").map { item -> UInt64 in
            guard let value = UInt64(item) else { throw ValidationError("--seeds must be whole numbers ≥ 0 separated by commas; '\(item)' is not") }
            return value
        }
        var seen = Set<UInt64>()
        for value in values where !seen.insert(value).inserted {
            throw ValidationError("--seeds names seed \(value) twice; give each seed once")
        }
        return values
    }

    var slurmOptions: SlurmOptions {
        SlurmOptions(partition: partition, time: time, cpusPerTask: cpusPerTask ?? options.threads, memory: mem, extraArguments: sbatchArg)
    }

    /// Every run of the sweep, before any data is read: the grid of --vary, --betas and --seeds.
    func gridPoints() throws -> [SweepGrid.Point] {
        try SweepGrid.points(base: options, axes: SweepGrid.axes(vary, base: options), betas: parsedBetas(), seeds: parsedSeeds())
    }

    func validate() throws {
        if status != nil { return }
        _ = try parsedBetas()
        _ = try parsedSeeds()
        _ = try SweepGrid.axes(vary, base: options)
        guard (1...RunConfig.threadLimit).contains(jobs) else { throw ValidationError("--jobs must be 1…\(RunConfig.threadLimit), not \(jobs)") }
        try OptionChecks.iwaeSamples(iwaeSamples)
        if executor == .slurm, let problem = slurmOptions.problem { throw ValidationError(problem) }
    }

    func run() throws {
        try reportingErrors {
            if let status {
                try checkStatusAlone()
                try printStatus(status)
                return
            }
            try checkCombination()
            let name = URL(fileURLWithPath: out).lastPathComponent
            let points = try gridPoints()
            let threads = executor == .slurm ? slurmOptions.cpusPerTask : max(1, options.threads / jobs)
            // The data is loaded once per data setting (a seed may split it differently) and shared by its runs.
            var datasets: [String: Dataset] = [:]
            var runs: [SweepRun] = [], runDatasets: [Dataset] = []
            for point in points {
                var runOptions = point.options
                runOptions.threads = threads
                if runOptions.epochs == nil && runOptions.steps == nil { runOptions.epochs = 20 }
                let key = runOptions.dataKey
                let dataset = try datasets[key] ?? DatasetCatalog.load(runOptions.dataset, options: runOptions.datasetOptions)
                datasets[key] = dataset
                let run = RunDirectory("\(out)/\(name)\(point.suffix)")
                runs.append(SweepRun(config: try runOptions.config(name: run.name, dataset: dataset), run: run))
                runDatasets.append(dataset)
            }
            let plan = SweepPlan(folder: out, reports: reports, iwaeSamples: iwaeSamples,
                                 workingDirectory: FileManager.default.currentDirectoryPath, runs: runs)
            if executor == .slurm {
                try submit(plan)
                return
            }
            let result = try LocalSweep.run(plan, runs: runs, datasets: runDatasets, jobs: jobs, force: force,
                                            policy: OptionChecks.evaluationPolicy(iwaeSamples: iwaeSamples), templates: Templates(),
                                            progress: { LabelledProgress(label: $0) }, log: { writeLine($0) })
            guard let result else { throw ExitCode(130) }
            writeLine("index: \(result.index)")
            writeLine(result.page)
            if let first = result.firstFailure {
                throw fail("\(result.failures.count) of \(runs.count) runs failed" + (result.compared ? " (listed on \(result.page))" : "")
                           + "; the first: \(first)")
            }
        }
    }

    /// Submits the sweep to Slurm and says what was submitted, where the script is and how to follow it.
    func submit(_ plan: SweepPlan) throws {
        let templates = try Templates()
        let environment = ["BETAVAE_TEMPLATES": SweepPlan.absolute(templates.folder, in: FileManager.default.currentDirectoryPath)]
        let submission = try SlurmSweep.submit(plan, options: slurmOptions, binary: Self.executablePath(), environment: environment)
        for skipped in submission.skipped { writeLine("\(skipped): already trained; not submitted") }
        if let array = submission.jobs.array {
            writeLine("submitted job array \(array) (\(submission.jobs.indices.count) runs, tasks \(SlurmSweep.arrayText(submission.jobs.indices))) "
                      + "and comparison job \(submission.jobs.finish) after it; script: \(submission.taskScript)")
        } else {
            writeLine("every run is trained; submitted comparison job \(submission.jobs.finish)")
        }
        writeLine("follow it with: betavae sweep --status \(plan.folder)")
        writeLine(plan.comparisonFolder + "/index.html")
    }

    /// `--status DIR` takes no other option.
    func checkStatusAlone() throws {
        let defaults = try SweepCommand.parse([])
        if betas != nil || seeds != nil || !vary.isEmpty || out != defaults.out || executor != defaults.executor || partition != nil || time != nil
            || cpusPerTask != nil || mem != nil || !sbatchArg.isEmpty || force || jobs != defaults.jobs {
            throw ValidationError("--status reads the sweep folder's plan; give it alone (betavae sweep --status DIR)")
        }
    }

    func printStatus(_ folder: String) throws {
        let plan = try SweepPlan.read(folder: folder)
        let states = SlurmSweep.states(plan)
        let width = max(3, plan.runs.map(\.name.count).max() ?? 3)
        writeLine("run".padding(toLength: width, withPad: " ", startingAt: 0) + "  state")
        for (entry, state) in zip(plan.runs, states) {
            writeLine(entry.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + state.description)
        }
        let finished = states.filter(\.isFinished).count
        writeLine("\(finished) of \(plan.runs.count) runs finished; comparison: \(plan.comparisonFolder)/index.html")
    }

    /// This binary's absolute path (the batch scripts call it by that path).
    static func executablePath() -> String {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        return SweepPlan.absolute(CommandLine.arguments[0], in: FileManager.default.currentDirectoryPath)
    }

    /// Options a β sweep cannot honour are refused rather than ignored.
    func checkCombination() throws {
        try options.checkCombination()
        let defaults = try TrainOptions.parse([])
        if options.beta != defaults.beta { throw ValidationError("--beta: a sweep takes β from --betas; leave --beta out") }
        if seeds != nil && options.seed != defaults.seed { throw ValidationError("--seed with --seeds: a sweep takes its seeds from --seeds; leave --seed out") }
        if options.deterministic { throw ValidationError("--deterministic: an autoencoder has no β, so every run of the sweep would be the same") }
        if executor == .slurm {
            if jobs != 1 { throw ValidationError("--jobs applies only to --executor local; on Slurm every run is its own task") }
            if force { throw ValidationError("--force applies only to --executor local; delete the runs to train them again on Slurm") }
            if let cpusPerTask, options.threads != defaults.threads, options.threads != cpusPerTask {
                throw ValidationError("--threads \(options.threads) and --cpus-per-task \(cpusPerTask) differ; a task uses its CPUs as threads, give one")
            }
        } else {
            let slurmOnly = [("--partition", partition != nil), ("--time", time != nil), ("--cpus-per-task", cpusPerTask != nil),
                             ("--mem", mem != nil), ("--sbatch-arg", !sbatchArg.isEmpty)]
            if let name = slurmOnly.first(where: { $0.1 })?.0 { throw ValidationError("\(name) applies only with --executor slurm") }
        }
    }
}
