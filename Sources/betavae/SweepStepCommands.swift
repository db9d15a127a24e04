import ArgumentParser
import Foundation
import Report
import Training

/// `betavae sweep-task DIR --index I` (hidden; Slurm's array task I runs it): trains run I of the
/// sweep's plan, or resumes it, then writes its report.
struct SweepTaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sweep-task", abstract: "Train and report one run of a sweep's plan (a Slurm array task).",
                                                    shouldDisplay: false)
    @Argument(help: "The sweep folder (holding sweep.json).")
    var folder: String
    @Option(help: "The run's index in the plan.")
    var index: Int

    func run() throws {
        let outcome = try reportingErrors { () throws -> String? in
            let plan = try SweepPlan.read(folder: folder)
            guard plan.runs.indices.contains(index) else {
                throw ValidationError("--index must be 0…\(plan.runs.count - 1) for \(plan.file), not \(index)")
            }
            writeLine("run \(plan.runs[index].name): \(plan.runs[index].path)")
            return try SweepSteps.task(plan, index: index, policy: OptionChecks.evaluationPolicy(iwaeSamples: plan.iwaeSamples),
                                       templates: Templates(), progress: PlainProgress())
        }
        guard let page = outcome else { throw ExitCode(130) }
        writeLine("report: \(page)")
    }
}

/// `betavae sweep-finish DIR` (hidden; the comparison job runs it): reports the finished runs,
/// compares them and lists the runs that failed with why; exits 1 when any run did not finish.
struct SweepFinishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sweep-finish", abstract: "Report and compare a sweep's finished runs (the Slurm comparison job).",
                                                    shouldDisplay: false)
    @Argument(help: "The sweep folder (holding sweep.json).")
    var folder: String

    func run() throws {
        try reportingErrors {
            let plan = try SweepPlan.read(folder: folder)
            let result = try SweepSteps.finish(plan, states: SlurmSweep.states(plan), policy: OptionChecks.evaluationPolicy(iwaeSamples: plan.iwaeSamples),
                                               templates: Templates(), log: { writeLine($0) })
            for failure in result.failures { writeLine("failed: \(failure.name): \(failure.reason)") }
            if let page = result.page { writeLine(page) }
            if !result.failures.isEmpty {
                throw fail("\(result.failures.count) of \(plan.runs.count) runs did not finish" + (result.page.map { " (listed on \($0))" } ?? ""))
            }
        }
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
