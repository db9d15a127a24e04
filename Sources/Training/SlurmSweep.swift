import Engine
import Foundation

/// What `sweep --executor slurm` asks Slurm for, each value checked before a script is written.
public struct SlurmOptions: Equatable, Sendable {
    public var partition: String?
    /// Time limit per task, [D-]HH:MM:SS.
    public var time: String?
    public var cpusPerTask: Int
    /// Memory per task, a whole number with an optional K, M, G or T suffix.
    public var memory: String?
    /// Further `#SBATCH` lines, each one option (`--account=lab`, `--qos=short`).
    public var extraArguments: [String]

    public init(partition: String? = nil, time: String? = nil, cpusPerTask: Int = 1, memory: String? = nil, extraArguments: [String] = []) {
        self.partition = partition
        self.time = time
        self.cpusPerTask = cpusPerTask
        self.memory = memory
        self.extraArguments = extraArguments
    }

    /// The first option that Slurm would refuse or that could break the script, as the line to print.
    public var problem: String? {
        if let partition, !Self.isPartitionList(partition) {
            return "--partition must be partition names (letters, digits, '_', '-', '.') separated by commas, not '\(partition)'"
        }
        if let time, Self.seconds(time) == nil {
            return "--time must be [D-]HH:MM:SS (minutes and seconds below 60, more than zero), not '\(time)'"
        }
        guard (1...RunConfig.threadLimit).contains(cpusPerTask) else { return "--cpus-per-task must be 1…\(RunConfig.threadLimit), not \(cpusPerTask)" }
        if let memory, !Self.isMemory(memory) { return "--mem must be a positive whole number with an optional K, M, G or T suffix (like 4G), not '\(memory)'" }
        for argument in extraArguments {
            guard argument.hasPrefix("--"), argument.count > 2, argument.count <= 200,
                  argument.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
                return "--sbatch-arg must be one sbatch option like --account=lab (printable, no spaces), not '\(argument)'"
            }
            let name = argument.dropFirst(2).split(separator: "=").first.map(String.init) ?? ""
            if Self.reserved.contains(name) {
                return "--sbatch-arg \(argument): betavae sets --\(name) itself" + (["partition", "time", "mem", "cpus-per-task"].contains(name) ? "; use --\(name)" : "")
            }
        }
        return nil
    }

    /// Options the scripts set and a user's extra argument may not override.
    static let reserved: Set<String> = ["array", "output", "error", "open-mode", "requeue", "no-requeue", "signal", "chdir", "job-name",
                                        "dependency", "parsable", "partition", "time", "mem", "cpus-per-task", "wrap"]

    static func isPartitionList(_ text: String) -> Bool {
        let names = text.split(separator: ",", omittingEmptySubsequences: false)
        return !names.isEmpty && text.count <= 200 && names.allSatisfy { name in
            !name.isEmpty && name.count <= 64 && name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "_-.".unicodeScalars.contains($0) }
        }
    }

    static func isMemory(_ text: String) -> Bool {
        var digits = Substring(text)
        if let last = digits.last, "KMGT".contains(last) { digits = digits.dropLast() }
        guard !digits.isEmpty, digits.count <= 12, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), let value = Int(digits) else { return false }
        return value > 0
    }

    /// The seconds in `[D-]HH:MM:SS`, nil when it is not that form or is zero.
    public static func seconds(_ text: String) -> Int? {
        var rest = Substring(text), days = 0
        if let dash = rest.firstIndex(of: "-") {
            guard let d = Int(rest[..<dash]), rest[..<dash].allSatisfy(\.isNumber), (0...365).contains(d) else { return nil }
            days = d
            rest = rest[rest.index(after: dash)...]
        }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ (1...2).contains($0.count) && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              parts[1].count == 2, parts[2].count == 2,
              let h = Int(parts[0]), let m = Int(parts[1]), let s = Int(parts[2]), h < (days > 0 ? 24 : 100), m < 60, s < 60 else { return nil }
        let total = ((days * 24 + h) * 60 + m) * 60 + s
        return total > 0 ? total : nil
    }

    /// Seconds before the time limit at which a task is told to checkpoint: 120, or less for short
    /// limits (Slurm sends it up to a minute late).
    var warningSeconds: Int {
        guard let time, let limit = Self.seconds(time) else { return 120 }
        return max(10, min(120, limit / 4))
    }
}

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
                                      environment: [String: String] = [:]) -> String {
        var lines = header(plan, options, jobName: "betavae-\(plan.name)", output: plan.folder + "/slurm/logs/task-%a.log", cpus: options.cpusPerTask)
        lines += ["#SBATCH --array=\(arraySpec(indices))", "#SBATCH --requeue", "#SBATCH --signal=B:USR1@\(options.warningSeconds)", ""]
        lines += environment.keys.sorted().map { "export \($0)=\(quoted(environment[$0] ?? ""))" }
        lines += [
            "echo \"betavae task $SLURM_ARRAY_TASK_ID of job $SLURM_ARRAY_JOB_ID on $(hostname) at $(date -Is) (restart ${SLURM_RESTART_COUNT:-0})\"",
            "requeue=0",
            "# TERM from scancel, scontrol requeue or preemption reaches betavae itself; USR1 is the time-limit warning.",
            "trap ':' TERM",
            "trap 'requeue=1; kill -TERM \"$child\" 2>/dev/null' USR1",
            "\(quoted(binary)) sweep-task \(quoted(plan.folder)) --index \"$SLURM_ARRAY_TASK_ID\" &",
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
    public static func finishScriptText(_ plan: SweepPlan, options: SlurmOptions, binary: String, environment: [String: String] = [:]) -> String {
        var lines = header(plan, options, jobName: "betavae-\(plan.name)-compare", output: plan.folder + "/slurm/logs/finish.log", cpus: 1)
        lines.append("")
        lines += environment.keys.sorted().map { "export \($0)=\(quoted(environment[$0] ?? ""))" }
        lines.append("exec \(quoted(binary)) sweep-finish \(quoted(plan.folder))")
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
    public static func submit(_ plan: SweepPlan, options: SlurmOptions, binary: String, environment: [String: String] = [:]) throws -> Submission {
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
        let task = taskScriptText(plan, options: options, binary: binary, indices: indices.isEmpty ? [0] : indices, environment: environment)
        try AtomicFile.write(task, to: taskScript(plan))
        try AtomicFile.write(finishScriptText(plan, options: options, binary: binary, environment: environment), to: finishScript(plan))
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

    /// squeue's view of the submission's jobs: "ID_TASK" or "ID" → state; nil when squeue is missing or fails.
    static func queue(_ jobs: Jobs) -> [String: String]? {
        guard let squeue = Tool.find("squeue") else { return nil }
        let ids = ([jobs.array].compactMap { $0 } + [jobs.finish]).joined(separator: ",")
        guard let result = try? Tool.run(squeue, ["-h", "-r", "-j", ids, "-o", "%i|%T"]) else { return nil }
        // A job that left the controller's memory makes squeue fail with "Invalid job id": nothing queued.
        guard result.status == 0 else { return result.stderr.contains("Invalid job id") ? [:] : nil }
        var states: [String: String] = [:]
        for line in result.stdout.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: "|")
            if parts.count == 2 { states[String(parts[0])] = String(parts[1]) }
        }
        return states
    }

    /// sacct's final states of the array's tasks ("ID_TASK" → "FAILED 1:0"); nil without accounting.
    static func accounting(_ jobs: Jobs) -> [String: String]? {
        guard let array = jobs.array, let sacct = Tool.find("sacct"),
              let result = try? Tool.run(sacct, ["-n", "-P", "-X", "-j", array, "-o", "JobID,State,ExitCode"]), result.status == 0 else { return nil }
        var states: [String: String] = [:]
        for line in result.stdout.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: "|").map(String.init)
            if parts.count == 3 { states[parts[0]] = parts[1] + " " + parts[2] }
        }
        return states
    }

    static func activeJobs(_ jobs: Jobs) -> [String]? {
        guard let queue = queue(jobs) else { return nil }
        return queue.keys.sorted()
    }

    /// The last line betavae printed as an error in a task's log ("betavae: …"), if any.
    public static func lastErrorLine(_ plan: SweepPlan, index: Int) -> String? {
        guard let text = try? String(contentsOfFile: taskLog(plan, index: index), encoding: .utf8) else { return nil }
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        // (betavae's notice that it computes an evaluation starts the same way but is not an error.)
        let errors = lines.filter { ($0.hasPrefix("betavae: ") && !$0.contains("computing its evaluation")) || ($0.hasPrefix("slurmstepd") && $0.contains("error:")) }
        return errors.last.map { $0.hasPrefix("betavae: ") ? String($0.dropFirst(9)) : $0 }
    }

    /// Every run's state: the run folders, the failure lines the tasks recorded, squeue (queued,
    /// running) and sacct (failed tasks) for the latest submission when they answer.
    public static func states(_ plan: SweepPlan) -> [RunState] {
        let local = plan.localStates()
        guard let jobs = try? readJobs(plan), let array = jobs.array else { return local }
        let queued = queue(jobs) ?? [:]
        let accounted = accounting(jobs) ?? [:]
        return plan.runs.indices.map { index in
            let entry = plan.runs[index]
            let key = "\(array)_\(index)"
            if let state = queued[key] {
                if state == "RUNNING" || state == "COMPLETING" {
                    if plan.progress(entry)?.finished ?? false { return .reporting }
                    let done = plan.progress(entry)?.epoch ?? 0
                    return .running(epoch: min(done + 1, entry.config.epochs), of: entry.config.epochs)
                }
                return .queued
            }
            if local[index].isFinished || !jobs.indices.contains(index) { return local[index] }
            if case .failed = local[index] { return local[index] }
            if let final = accounted[key], !final.hasPrefix("COMPLETED") {
                return .failed(final + (lastErrorLine(plan, index: index).map { ": " + $0 } ?? ""))
            }
            if let line = lastErrorLine(plan, index: index) { return .failed(line) }
            return local[index]
        }
    }
}

/// Finding and running the Slurm client commands (Foundation.Process, no shell).
public enum Tool {
    public struct Result: Sendable { public var status: Int32; public var stdout: String; public var stderr: String }

    /// The executable `name` on $PATH, or nil.
    public static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    public static func run(_ executable: String, _ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read stderr on another thread so neither pipe can fill up and block the tool.
        let errorData = UncheckedSendableBox(ErrorCollector())
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { errorData.value.data = err.fileHandleForReading.readDataToEndOfFile() }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: errorData.value.data, as: UTF8.self))
    }

    final class ErrorCollector: @unchecked Sendable { var data = Data() }
}

extension SlurmSweep {
    /// Array indices as Slurm writes them (0-3,5).
    public static func arrayText(_ indices: [Int]) -> String { arraySpec(indices) }
}
