import Engine
import Foundation

/// The Slurm executor of a sweep: the batch scripts, their submission with sbatch (a job array of
/// one task per unfinished run, then a comparison job that runs after the array whatever its
/// tasks' fate), and the runs' states from their folders and squeue/sacct.
public enum SlurmSweep {
    /// The job ids of the latest submission (`DIR/slurm/jobs.json`).
    public struct Jobs: Codable, Equatable, Sendable {
        public var array: String?
        public var finish: String
        /// Run index → array task index are the same; the indices submitted.
        public var indices: [Int]
    }

    /// The hidden subcommands the batch scripts run: one run's task and the closing job. A sweep's
    /// are `sweep-task`/`sweep-finish`; a study's evaluate its runs and write the study page.
    public struct Steps: Sendable {
        public var task: String
        public var finish: String
        public init(task: String, finish: String) {
            self.task = task
            self.finish = finish
        }
        public static let sweep = Steps(task: "sweep-task", finish: "sweep-finish")
    }

    public static func folder(_ plan: SweepPlan) -> String { plan.folder + "/slurm" }
    public static func taskScript(_ plan: SweepPlan) -> String { folder(plan) + "/task.sh" }
    public static func finishScript(_ plan: SweepPlan) -> String { folder(plan) + "/finish.sh" }
    public static func jobsFile(_ plan: SweepPlan) -> String { folder(plan) + "/jobs.json" }
    public static func taskLog(_ plan: SweepPlan, index: Int) -> String { folder(plan) + "/logs/task-\(index).log" }

    /// Single-quoted for bash.
    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// Compresses indices into Slurm's array syntax: 0-3,5,7-8.
    static func arraySpec(_ indices: [Int]) -> String {
        var parts: [String] = [], i = 0
        let sorted = indices.sorted()
        while i < sorted.count {
            var j = i
            while j + 1 < sorted.count && sorted[j + 1] == sorted[j] + 1 { j += 1 }
            parts.append(i == j ? "\(sorted[i])" : "\(sorted[i])-\(sorted[j])")
            i = j + 1
        }
        return parts.joined(separator: ",")
    }

    static func header(_ plan: SweepPlan, _ options: SlurmOptions, jobName: String, output: String, cpus: Int) -> [String] {
        var lines = ["#!/bin/bash", "#SBATCH --job-name=\(jobName)", "#SBATCH --chdir=\(plan.workingDirectory)",
                     "#SBATCH --output=\(output)", "#SBATCH --open-mode=append", "#SBATCH --cpus-per-task=\(cpus)"]
        if let partition = options.partition { lines.append("#SBATCH --partition=\(partition)") }
        if let time = options.time { lines.append("#SBATCH --time=\(time)") }
        if let memory = options.memory { lines.append("#SBATCH --mem=\(memory)") }
        lines += options.extraArguments.map { "#SBATCH \($0)" }
        return lines
    }

    /// The job array's script: task I trains run I of DIR/sweep.json (or resumes it) and reports it.
    /// Before the time limit Slurm sends USR1 to this shell, which asks betavae to checkpoint
    /// (SIGTERM) and requeues the task; a requeued or preempted task resumes from its checkpoint.
    public static func taskScriptText(_ plan: SweepPlan, options: SlurmOptions, binary: String, indices: [Int],
                                      environment: [String: String] = [:], steps: Steps = .sweep) -> String {
        var lines = header(plan, options, jobName: "betavae-\(plan.name)", output: plan.folder + "/slurm/logs/task-%a.log", cpus: options.cpusPerTask)
        lines += ["#SBATCH --array=\(arraySpec(indices))", "#SBATCH --requeue", "#SBATCH --signal=B:USR1@\(options.warningSeconds)", ""]
        lines += environment.keys.sorted().map { "export \($0)=\(quoted(environment[$0] ?? ""))" }
        lines += [
            "echo \"betavae task $SLURM_ARRAY_TASK_ID of job $SLURM_ARRAY_JOB_ID on $(hostname) at $(date -Is) (restart ${SLURM_RESTART_COUNT:-0})\"",
            "requeue=0",
            "# TERM from scancel, scontrol requeue or preemption reaches betavae itself; USR1 is the time-limit warning.",
            "trap ':' TERM",
            "trap 'requeue=1; kill -TERM \"$child\" 2>/dev/null' USR1",
            "\(quoted(binary)) \(steps.task) \(quoted(plan.folder)) --index \"$SLURM_ARRAY_TASK_ID\" &",
            "child=$!",
            "status=0",
            "while :; do wait \"$child\"; status=$?; kill -0 \"$child\" 2>/dev/null || break; done",
            "if [ \"$requeue\" = 1 ] && [ \"$status\" = 130 ]; then",
            "  echo \"betavae task $SLURM_ARRAY_TASK_ID: time limit near; checkpoint saved, requeueing\"",
            "  scontrol requeue \"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\"",
            "fi",
            "exit \"$status\"",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The comparison job's script: reports what finished, compares it and lists what failed.
    public static func finishScriptText(_ plan: SweepPlan, options: SlurmOptions, binary: String, environment: [String: String] = [:],
                                        steps: Steps = .sweep) -> String {
        var lines = header(plan, options, jobName: "betavae-\(plan.name)-compare", output: plan.folder + "/slurm/logs/finish.log", cpus: 1)
        lines.append("")
        lines += environment.keys.sorted().map { "export \($0)=\(quoted(environment[$0] ?? ""))" }
        lines.append("exec \(quoted(binary)) \(steps.finish) \(quoted(plan.folder))")
        return lines.joined(separator: "\n") + "\n"
    }

    /// What a submission did.
    public struct Submission: Sendable {
        public var jobs: Jobs
        public var taskScript: String
        public var skipped: [String]
    }

    /// Writes the plan and both scripts into the sweep folder and submits them: the array over the
    /// runs that are not finished, then the comparison job (`afterany` on the array). Refuses while
    /// an earlier submission of this sweep is still queued or running.
    public static func submit(_ plan: SweepPlan, options: SlurmOptions, binary: String, environment: [String: String] = [:],
                              steps: Steps = .sweep) throws -> Submission {
        if let problem = options.problem { throw TrainingError.invalidOption(problem) }
        guard let sbatchPath = Tool.find("sbatch") else {
            throw TrainingError.io("sbatch not found on PATH: --executor slurm runs on a machine with Slurm's client commands (or use --executor local)")
        }
        if let previous = try? readJobs(plan), let active = activeJobs(previous), !active.isEmpty {
            throw TrainingError.io("\(plan.folder) already has jobs in the queue (\(active.joined(separator: ", "))); "
                                              + "wait for them (betavae sweep --status \(plan.folder)) or cancel them with scancel")
        }
        // A run made with other settings is refused now, not in a task.
        for entry in plan.runs where entry.run.exists {
            let existing = try RunConfig.read(path: entry.run.config)
            let differences = existing.differences(from: entry.config)
            guard differences.isEmpty else {
                throw TrainingError.invalidOption("\(entry.run.path) was trained with other settings (\(differences.joined(separator: ", "))); "
                                                  + "delete it or choose another --out")
            }
        }
        let states = plan.localStates()
        let indices = plan.runs.indices.filter { !states[$0].isFinished }
        let skipped = plan.runs.indices.filter { states[$0].isFinished }.map { plan.runs[$0].name }
        try plan.write()
        try FileManager.default.createDirectory(atPath: folder(plan) + "/logs", withIntermediateDirectories: true)
        let task = taskScriptText(plan, options: options, binary: binary, indices: indices.isEmpty ? [0] : indices, environment: environment, steps: steps)
        try AtomicFile.write(task, to: taskScript(plan))
        try AtomicFile.write(finishScriptText(plan, options: options, binary: binary, environment: environment, steps: steps), to: finishScript(plan))
        chmod(taskScript(plan), 0o755)
        chmod(finishScript(plan), 0o755)

        var arrayId: String?
        if !indices.isEmpty {
            arrayId = try sbatch(sbatchPath, ["--parsable", taskScript(plan)], what: "the sweep's job array")
        }
        let finishId: String
        do {
            finishId = try sbatch(sbatchPath, ["--parsable"] + (arrayId.map { ["--dependency=afterany:\($0)"] } ?? []) + [finishScript(plan)],
                                  what: "the comparison job")
        } catch {
            if let arrayId, let scancel = Tool.find("scancel") { _ = try? Tool.run(scancel, [arrayId]) }
            throw TrainingError.io("\(error)" + (arrayId.map { "; job array \($0) was cancelled" } ?? ""))
        }
        let jobs = Jobs(array: arrayId, finish: finishId, indices: indices)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(Array(try encoder.encode(jobs)) + [0x0A], to: jobsFile(plan))
        return Submission(jobs: jobs, taskScript: taskScript(plan), skipped: skipped)
    }

    /// Runs sbatch and returns the job id, or throws its own message on one line.
    static func sbatch(_ path: String, _ arguments: [String], what: String) throws -> String {
        let result: Tool.Result
        do { result = try Tool.run(path, arguments) } catch {
            throw TrainingError.io("cannot run \(path): \(error.localizedDescription)")
        }
        let id = result.stdout.split(whereSeparator: \.isNewline).first.map { String($0.split(separator: ";")[0]) } ?? ""
        guard result.status == 0, !id.isEmpty, id.allSatisfy(\.isNumber) else {
            let message = (result.stderr + " " + result.stdout).split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
            throw TrainingError.io("sbatch refused \(what) (exit \(result.status)): " + (message.isEmpty ? "no message" : message))
        }
        return id
    }

    static func readJobs(_ plan: SweepPlan) throws -> Jobs {
        let data = try Data(contentsOf: URL(fileURLWithPath: jobsFile(plan)))
        let jobs = try JSONDecoder().decode(Jobs.self, from: data)
        let ids = [jobs.finish] + (jobs.array.map { [$0] } ?? [])
        guard ids.allSatisfy({ !$0.isEmpty && $0.count < 20 && $0.allSatisfy(\.isNumber) }) else { throw TrainingError.corruptRun(path: jobsFile(plan), reason: "bad job id") }
        return jobs
    }

}

extension SlurmSweep {
    /// Array indices as Slurm writes them (0-3,5).
    public static func arrayText(_ indices: [Int]) -> String { arraySpec(indices) }
}
