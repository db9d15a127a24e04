import ArgumentParser
import Datasets
import Foundation
import Analysis
import Report
import Training

/// `betavae study --preset locatello2019 --dataset NAME --out DIR`: methods × values × seeds ×
/// datasets with the protocol of Locatello et al. (2019), trained like a sweep (here with --jobs,
/// or as a Slurm job array), every run evaluated with every metric, and the study page DIR/index.html.
struct StudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study",
        abstract: "Train and evaluate a study of methods × hyperparameters × seeds (Locatello et al. 2019) and write its page.",
        discussion: """
        Runs go to OUT/DATASET-METHOD-VALUE-seedS; finished runs are reused and unfinished ones resumed. Every run trains \
        with the preset's protocol (burgess, Z = 10, Bernoulli, batch 64, Adam 1e-4, --steps steps) and is evaluated with \
        every metric on the posterior means (RUN/evaluation.json) with disentanglement_lib's sample sizes, or this \
        project's smaller ones with --protocol quick; OUT/index.html shows the runs that are in and is written \
        again as each finishes. With --executor slurm the runs are a job array and a closing job writes the page; follow \
        either with 'betavae study --status OUT'.
        """)

    @Option(help: "The study's protocol and grids (only locatello2019).")
    var preset = StudyPreset.name
    @Option(help: "A JSON file naming the study's datasets, methods (each with its values), seeds and steps, instead of the options.")
    var plan: String?
    @Option(help: "Datasets, comma-separated (one panel each on the page).")
    var dataset: String?
    @Option(help: "Methods, comma-separated (default: all six: \(StudyPreset.methodNames)).")
    var models: String?
    @Option(help: "Seeds, comma-separated (default: 0,1,2,3,4; the paper used 50).")
    var seeds: String?
    @Option(help: "Optimiser steps per run (default: the paper's \(StudyPreset.steps)).")
    var steps: Int?
    @Option(help: ArgumentHelp("One method's values instead of its grid, as METHOD=V1,V2,… (repeatable), e.g. --values beta=1,8.", valueName: "method=values"))
    var values: [String] = []
    @Option(help: "Images per step instead of the protocol's 64 (a quicker, smaller study; recorded in each run's config.json).")
    var batchSize: Int?
    @Option(help: "Train on the first N training images of each dataset (a smaller study).")
    var limit: Int?
    @Option(help: "Test on the first N test images of each dataset.")
    var testLimit: Int?
    @Option(help: "Importance samples K of each run's IWAE bound (default: the architecture's).")
    var iwaeSamples: Int?
    @Option(help: "The IWAE bound over the first N test images (default: the architecture's).")
    var iwaeImages: Int?
    @Option(help: ArgumentHelp("The disentanglement scores' sample sizes: dlib (disentanglement_lib's: BetaVAE and FactorVAE on 10,000 + 5,000 points of 64, what published numbers use) or quick (150 + 75 points of 32, minutes less per run).", valueName: "dlib|quick"))
    var `protocol`: EvaluationProtocol = .dlib
    @Option(help: "Folder of the study: its runs, plan and page.")
    var out = "runs/study"
    @Option(help: "Runs trained at once (local executor; each gets --threads/--jobs engine threads).")
    var jobs = 1
    @Option(help: "Engine threads in all (default: the number of cores).")
    var threads = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Where runs train: local (this machine, --jobs at once) or slurm (a job array submitted with sbatch).")
    var executor = SweepCommand.Executor.local
    @Option(help: "Slurm partition for the tasks.")
    var partition: String?
    @Option(help: "Slurm time limit per task, [D-]HH:MM:SS; tasks checkpoint before it and are requeued.")
    var time: String?
    @Option(help: "CPUs per Slurm task, also the task's engine threads (default: --threads).")
    var cpusPerTask: Int?
    @Option(help: "Memory per Slurm task, like 4G.")
    var mem: String?
    @Option(help: "A further sbatch option for every job, written --sbatch-arg=--account=lab (repeatable).")
    var sbatchArg: [String] = []
    @Option(help: "Show each run's state in this study folder and how many are in, and exit.")
    var status: String?

    var slurmOptions: SlurmOptions {
        SlurmOptions(partition: partition, time: time, cpusPerTask: cpusPerTask ?? threads, memory: mem, extraArguments: sbatchArg)
    }

    /// Every option on its own, before anything is read or written.
    func validate() throws {
        if status != nil { return }
        guard preset == StudyPreset.name else { throw ValidationError("--preset must be \(StudyPreset.name), not '\(preset)'") }
        if let plan {
            let given = [("--dataset", dataset != nil), ("--models", models != nil), ("--seeds", seeds != nil), ("--steps", steps != nil),
                         ("--values", !values.isEmpty)]
            if let name = given.first(where: { $0.1 })?.0 { throw ValidationError("\(name) with --plan: \(plan) names the study; leave \(name) out") }
        } else if dataset == nil {
            throw ValidationError("--dataset is required (or --plan FILE); e.g. --dataset sprites")
        }
        if let steps, !(1...RunConfig.stepLimit).contains(steps) { throw ValidationError("--steps must be 1…\(RunConfig.stepLimit), not \(steps)") }
        if let limit, limit <= 0 { throw ValidationError("--limit must be positive, not \(limit)") }
        if let batchSize, !(1...RunConfig.batchLimit).contains(batchSize) { throw ValidationError("--batch-size must be 1…\(RunConfig.batchLimit), not \(batchSize)") }
        if let testLimit, testLimit <= 0 { throw ValidationError("--test-limit must be positive, not \(testLimit)") }
        try OptionChecks.iwaeSamples(iwaeSamples)
        if let iwaeImages, iwaeImages <= 0 { throw ValidationError("--iwae-images must be positive, not \(iwaeImages)") }
        guard (1...RunConfig.threadLimit).contains(threads) else { throw ValidationError("--threads must be 1…\(RunConfig.threadLimit), not \(threads)") }
        guard (1...RunConfig.threadLimit).contains(jobs) else { throw ValidationError("--jobs must be 1…\(RunConfig.threadLimit), not \(jobs)") }
        if plan == nil { _ = try grid(file: nil) }
        if executor == .slurm {
            if let problem = slurmOptions.problem { throw ValidationError(problem) }
            if jobs != 1 { throw ValidationError("--jobs applies only to --executor local; on Slurm every run is its own task") }
        } else {
            let slurmOnly = [("--partition", partition != nil), ("--time", time != nil), ("--cpus-per-task", cpusPerTask != nil),
                             ("--mem", mem != nil), ("--sbatch-arg", !sbatchArg.isEmpty)]
            if let name = slurmOnly.first(where: { $0.1 })?.0 { throw ValidationError("\(name) applies only with --executor slurm") }
        }
    }

    /// The study's grid from the options, or from the plan file `file` (already read and checked).
    func grid(file: StudyPlanFile?) throws -> StudyGrid {
        let datasets = try file?.datasets ?? OptionChecks.list(dataset ?? "", option: "--dataset")
        guard Set(datasets).count == datasets.count else { throw ValidationError("--dataset names a dataset twice") }
        var methods: [StudyPlan.Method]
        if let fileMethods = file?.methods {
            // The file's methods in the paper's order, each with its values or the preset's grid.
            methods = StudyPreset.methods.compactMap { preset in
                fileMethods[preset.name].map { StudyPlan.Method(name: preset.name, values: $0.isEmpty ? preset.grid : $0) }
            }
        } else {
            let names = try models.map { try OptionChecks.list($0, option: "--models") } ?? StudyPreset.methods.map(\.name)
            guard Set(names).count == names.count else { throw ValidationError("--models names a method twice") }
            let given = try StudyGrid.values(values)
            methods = try names.map { name in
                guard let preset = StudyPreset.method(name) else { throw ValidationError("--models \(name): not a method; one of \(StudyPreset.methodNames)") }
                return StudyPlan.Method(name: name, values: given[name] ?? preset.grid)
            }
            if let stray = given.keys.sorted().first(where: { !names.contains($0) }) {
                throw ValidationError("--values \(stray): \(stray) is not among --models; add it there or leave --values \(stray) out")
            }
        }
        let seedList: [UInt64]
        if let fileSeeds = file?.seeds {
            seedList = fileSeeds
        } else if let seeds {
            seedList = try OptionChecks.list(seeds, option: "--seeds").map { item in
                guard let value = UInt64(item) else { throw ValidationError("--seeds must be whole numbers ≥ 0 separated by commas; '\(item)' is not") }
                return value
            }
            guard Set(seedList).count == seedList.count else { throw ValidationError("--seeds names a seed twice; give each seed once") }
        } else {
            seedList = [0, 1, 2, 3, 4]
        }
        return StudyGrid(datasets: datasets, methods: methods, seeds: seedList, steps: file?.steps ?? steps ?? StudyPreset.steps)
    }

    func run() throws {
        try reportingErrors {
            if let status {
                try printStatus(status)
                return
            }
            let file = try plan.map { try StudyPlanFile.read(path: $0) }
            let grid = try grid(file: file)
            let points = grid.points()
            guard points.count <= SweepPlan.runLimit else { throw ValidationError("the study has \(points.count) runs; at most \(SweepPlan.runLimit)") }
            let runThreads = executor == .slurm ? slurmOptions.cpusPerTask : max(1, threads / jobs)
            // Every run's settings, checked as train checks them, before anything is written; the
            // data is loaded once per dataset and seed (a seed may split it differently).
            var datasets: [String: Dataset] = [:]
            var runs: [SweepRun] = [], runDatasets: [Dataset] = []
            for point in points {
                var arguments = point.arguments + ["--threads", "\(runThreads)"]
                // ArgumentParser keeps an option's last value: --batch-size here replaces the protocol's.
                if let batchSize { arguments += ["--batch-size", "\(batchSize)"] }
                if let limit { arguments += ["--limit", "\(limit)"] }
                if let testLimit { arguments += ["--test-limit", "\(testLimit)"] }
                let options: TrainOptions
                do {
                    options = try TrainOptions.parse(arguments)
                    try options.checkCombination()
                } catch {
                    throw ValidationError("run \(point.member.name): " + TrainOptions.message(for: error))
                }
                let dataset = try datasets[options.dataKey] ?? DatasetCatalog.load(options.dataset, options: options.datasetOptions)
                datasets[options.dataKey] = dataset
                let run = RunDirectory("\(out)/\(point.member.name)")
                runs.append(SweepRun(config: try options.config(name: run.name, dataset: dataset), run: run))
                runDatasets.append(dataset)
            }
            let evaluation = StudyPlan.Evaluation(iwaeSamples: iwaeSamples, iwaeImages: iwaeImages, evaluationProtocol: `protocol`)
            let sweep = SweepPlan(folder: out, reports: out + "/reports", iwaeSamples: iwaeSamples ?? 100,
                                  workingDirectory: FileManager.default.currentDirectoryPath, runs: runs)
            let study = StudyPlan(preset: StudyPreset.name, datasets: grid.datasets, methods: grid.methods, seeds: grid.seeds, steps: grid.steps,
                                  evaluation: evaluation, members: points.map(\.member))
            try checkExisting(sweep)
            let templates = try Templates()
            announce(grid: grid, runs: runs, datasets: runDatasets, sweep: sweep)
            try FileManager.default.createDirectory(atPath: sweep.folder, withIntermediateDirectories: true)
            try study.write(folder: sweep.folder)
            if executor == .slurm {
                try submit(sweep, templates: templates)
                return
            }
            try sweep.write()
            let pages = StudyPageUpdates(folder: sweep.folder, templates: templates)
            let shared = StudyShared(study: study, sweep: sweep, datasets: runDatasets)
            let failures = SweepTraining.train(runs, datasets: runDatasets, jobs: jobs, force: false, progress: { LabelledProgress(label: $0) },
                                               finished: { index in
                let entry = shared.sweep.runs[index]
                // A run reused with its evaluation adds nothing new to the page: the last update draws it.
                let wasIn = (try? StudyPlan.finishedEvaluation(entry)) != nil
                let result = try shared.study.evaluate(entry, dataset: shared.datasets[index], announce: { writeLine("[\(entry.name)] \($0)") })
                writeLine("[\(entry.name)] evaluated: " + StudyCommand.scoreLine(result))
                if !wasIn { try pages.update() }
            })
            for (index, entry) in sweep.runs.enumerated() {
                if let message = failures.first(where: { $0.hasPrefix(entry.path + ": ") }) {
                    sweep.recordFailure(entry, String(message.dropFirst(entry.path.count + 2)))
                } else if runs.indices.contains(index) {
                    sweep.recordFailure(entry, nil)
                }
            }
            if SignalWatcher.stopRequested { _ = try? pages.update(); throw ExitCode(130) }
            let page = try pages.update()
            writeLine(page)
            if let first = failures.first {
                throw fail("\(failures.count) of \(runs.count) runs failed (listed on \(page)); the first: \(first)")
            }
        }
    }

    /// Runs already in the folder with other settings are refused now, before any file is written.
    func checkExisting(_ sweep: SweepPlan) throws {
        for entry in sweep.runs where entry.run.exists {
            let differences = try RunConfig.read(path: entry.run.config).differences(from: entry.config)
            guard differences.isEmpty else {
                throw TrainingError.invalidOption("\(entry.run.path) was trained with other settings (\(differences.joined(separator: ", "))); "
                                                  + "delete it or choose another --out")
            }
        }
    }

    /// Says how many runs and how long each takes here, from a few timed steps of each method.
    func announce(grid: StudyGrid, runs: [SweepRun], datasets: [Dataset], sweep: SweepPlan) {
        var perStep: [String: Double] = [:]
        for (index, item) in runs.enumerated() {
            let method = sweep.runs[index].name
            let key = item.config.objective.summary.split(separator: " ").first.map(String.init) ?? method
            if perStep[key] == nil { perStep[key] = StudyTiming.secondsPerStep(item.config, dataset: datasets[index]) }
        }
        let slowest = perStep.values.filter(\.isFinite).max() ?? .nan
        let fastest = perStep.values.filter(\.isFinite).min() ?? .nan
        let finished = sweep.localStates().filter(\.isFinished).count
        let each = fastest == slowest ? StudyTiming.spoken(slowest * Double(grid.steps))
            : StudyTiming.spoken(fastest * Double(grid.steps)) + " to " + StudyTiming.spoken(slowest * Double(grid.steps)).replacingOccurrences(of: "about ", with: "")
        let parallel = executor == .local ? jobs : 1
        let remaining = Double(runs.count - finished) * slowest * Double(grid.steps) / Double(parallel)
        writeLine("study: \(runs.count) runs (\(grid.methods.map { "\($0.name) ×\($0.values.count)" }.joined(separator: ", ")) × \(grid.seeds.count) seeds × "
                  + "\(grid.datasets.count) dataset\(grid.datasets.count == 1 ? "" : "s")), \(grid.steps) steps each"
                  + (finished > 0 ? "; \(finished) already trained" : ""))
        writeLine(String(format: "here a step takes %.3f–%.3f s, so each run trains in %@ (plus its evaluation)", fastest, slowest, each)
                  + (executor == .local ? "; the study \(StudyTiming.spoken(remaining)) with --jobs \(jobs)" : ""))
    }

    /// Submits the study to Slurm: one array task per unfinished run, then the job writing the page.
    func submit(_ sweep: SweepPlan, templates: Templates) throws {
        let environment = ["BETAVAE_TEMPLATES": SweepPlan.absolute(templates.folder, in: FileManager.default.currentDirectoryPath)]
        let submission = try SlurmSweep.submit(sweep, options: slurmOptions, binary: SweepCommand.executablePath(), environment: environment,
                                               steps: SlurmSweep.Steps(task: "study-task", finish: "study-finish"))
        for skipped in submission.skipped { writeLine("\(skipped): already trained; not submitted") }
        if let array = submission.jobs.array {
            writeLine("submitted job array \(array) (\(submission.jobs.indices.count) runs, tasks \(SlurmSweep.arrayText(submission.jobs.indices))) "
                      + "and page job \(submission.jobs.finish) after it; script: \(submission.taskScript)")
        } else {
            writeLine("every run is trained; submitted page job \(submission.jobs.finish)")
        }
        writeLine("follow it with: betavae study --status \(sweep.folder)")
        writeLine(sweep.folder + "/index.html")
    }

    func printStatus(_ folder: String) throws {
        let others = [("--plan", plan != nil), ("--dataset", dataset != nil), ("--models", models != nil), ("--seeds", seeds != nil),
                      ("--steps", steps != nil), ("--values", !values.isEmpty), ("--executor", executor != .local), ("--jobs", jobs != 1)]
        if let name = others.first(where: { $0.1 })?.0 {
            throw ValidationError("\(name) with --status: --status reads the study folder's plan; give it alone (betavae study --status DIR)")
        }
        let (study, sweep) = try StudyPlan.read(folder: folder)
        let states = SlurmSweep.states(sweep)
        let width = max(3, sweep.runs.map(\.name.count).max() ?? 3)
        writeLine("run".padding(toLength: width, withPad: " ", startingAt: 0) + "  state")
        var evaluated = 0
        for (entry, state) in zip(sweep.runs, states) {
            let hasEvaluation = state.isFinished && ((try? StudyPlan.finishedEvaluation(entry)) ?? nil) != nil
            if hasEvaluation { evaluated += 1 }
            writeLine(entry.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + state.description
                      + (state.isFinished ? (hasEvaluation ? ", evaluated" : ", not evaluated yet") : ""))
        }
        writeLine("\(evaluated) of \(study.members.count) runs in (trained and evaluated); page: \(sweep.folder)/index.html")
    }

    /// "MIG 0.123, SAP 0.045, …": a run's scores on one line.
    static func scoreLine(_ result: Analysis.EvaluationResult) -> String {
        let scores = StudyResults.scores(of: result)
        let keys = scores.keys.sorted()
        return (keys.map { "\($0) " + String(format: "%.3f", scores[$0] ?? .nan) } + [String(format: "recon %.2f nats", result.test.recon)]).joined(separator: ", ")
    }
}

/// What the training workers share to evaluate a finished run (read only).
struct StudyShared: @unchecked Sendable {
    let study: StudyPlan
    let sweep: SweepPlan
    let datasets: [Dataset]
}
