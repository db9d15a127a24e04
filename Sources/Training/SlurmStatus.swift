import Foundation

/// What the scheduler and the run folders say about a submitted sweep.
extension SlurmSweep {
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
