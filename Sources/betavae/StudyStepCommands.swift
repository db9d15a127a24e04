import ArgumentParser
import Datasets
import Foundation
import Report
import Training

/// `betavae study-task DIR --index I` (hidden; Slurm's array task I runs it): trains run I of the
/// study (or resumes it), evaluates it with every metric and writes the study page again.
struct StudyTaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "study-task", abstract: "Train, evaluate and add one run to a study's page (a Slurm array task).",
                                                    shouldDisplay: false)
    @Argument(help: "The study folder (holding study.json and sweep.json).")
    var folder: String
    @Option(help: "The run's index in the plan.")
    var index: Int

    func run() throws {
        let interrupted = try reportingErrors { () throws -> Bool in
            let (study, sweep) = try StudyPlan.read(folder: folder)
            guard sweep.runs.indices.contains(index) else {
                throw ValidationError("--index must be 0…\(sweep.runs.count - 1) for \(sweep.file), not \(index)")
            }
            let templates = try Templates()
            let entry = sweep.runs[index]
            writeLine("run \(entry.name): \(entry.path)")
            let outcome = try sweep.trainRun(index, progress: PlainProgress())
            if outcome?.interrupted ?? false { return true }
            do {
                let result = try study.evaluate(entry, announce: { writeLine($0) })
                writeLine("evaluated: " + StudyCommand.scoreLine(result))
            } catch {
                sweep.recordFailure(entry, "evaluation: \(error)")
                throw error
            }
            writeLine("page: " + (try StudyPageUpdates(folder: sweep.folder, templates: templates).update()))
            return false
        }
        if interrupted { throw ExitCode(130) }
    }
}

/// `betavae study-finish DIR` (hidden; the job after the array runs it): evaluates every trained
/// run that has no evaluation yet, writes the study page, and lists the runs that are not in;
/// exits 1 when any run did not finish.
struct StudyFinishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "study-finish", abstract: "Evaluate a study's trained runs and write its page (the Slurm closing job).",
                                                    shouldDisplay: false)
    @Argument(help: "The study folder (holding study.json and sweep.json).")
    var folder: String

    func run() throws {
        try reportingErrors {
            let (study, sweep) = try StudyPlan.read(folder: folder)
            _ = FileManager.default.changeCurrentDirectoryPath(sweep.workingDirectory)
            let states = SlurmSweep.states(sweep)
            var notIn: [String] = []
            for (entry, state) in zip(sweep.runs, states) {
                guard state.isFinished else { notIn.append("\(entry.name): \(state.description)"); continue }
                do {
                    if try StudyPlan.finishedEvaluation(entry) == nil { _ = try study.evaluate(entry, announce: { writeLine($0) }) }
                } catch {
                    notIn.append("\(entry.name): evaluation: \(error)")
                }
            }
            let page = try StudyPage.write(folder: sweep.folder, states: states, templates: Templates())
            for line in notIn { writeLine("not in: \(line)") }
            writeLine(page)
            if !notIn.isEmpty { throw fail("\(notIn.count) of \(sweep.runs.count) runs are not in (listed on \(page))") }
        }
    }
}
