import Foundation
import Testing
@testable import Training

/// The Slurm executor's pieces that need no cluster: option checks, array syntax, the scripts, the plan file.
@Suite struct SlurmSweepTests {
    @Test func timeLimitsParseAsSlurmWritesThem() {
        #expect(SlurmOptions.seconds("00:10:00") == 600)
        #expect(SlurmOptions.seconds("2:00:00") == 7200)
        #expect(SlurmOptions.seconds("1-12:00:00") == 129_600)
        #expect(SlurmOptions.seconds("48:00:00") == 172_800)
        for bad in ["", "10", "1:00", "00:60:00", "00:00:60", "00:00:00", "-1:00:00", "1-24:00:00", "a:00:00", "00:1:00", "1-", "1--00:00:01", "١:00:00"] {
            #expect(SlurmOptions.seconds(bad) == nil, "\(bad)")
        }
    }

    @Test func optionsAreCheckedBeforeAScriptIsWritten() {
        #expect(SlurmOptions(partition: "debug,gpu-short", time: "00:05:00", cpusPerTask: 4, memory: "4G", extraArguments: ["--account=lab"]).problem == nil)
        #expect(SlurmOptions(memory: "512").problem == nil)
        for (options, start) in [(SlurmOptions(partition: "a b"), "--partition"), (SlurmOptions(partition: "a,,b"), "--partition"),
                                 (SlurmOptions(partition: "x\n#SBATCH --wrap=rm"), "--partition"), (SlurmOptions(time: "5"), "--time"),
                                 (SlurmOptions(cpusPerTask: 0), "--cpus-per-task"), (SlurmOptions(memory: "0G"), "--mem"),
                                 (SlurmOptions(memory: "4GB"), "--mem"), (SlurmOptions(memory: "-4G"), "--mem"),
                                 (SlurmOptions(extraArguments: ["--qos=a b"]), "--sbatch-arg"), (SlurmOptions(extraArguments: ["--output=/etc/x"]), "--sbatch-arg"),
                                 (SlurmOptions(extraArguments: ["--time=1:00:00"]), "--sbatch-arg")] {
            #expect(options.problem?.hasPrefix(start) == true, "\(options): \(options.problem ?? "accepted")")
        }
    }

    @Test func arrayIndicesAreCompressed() {
        #expect(SlurmSweep.arrayText([0, 1, 2, 3]) == "0-3")
        #expect(SlurmSweep.arrayText([3, 0, 1, 5, 7, 8]) == "0-1,3,5,7-8")
        #expect(SlurmSweep.arrayText([4]) == "4")
    }

    static func plan(folder: String = "/shared/runs/sw") -> SweepPlan {
        let runs = [1.0, 4.0].map { beta in
            SweepRun(config: TinyData.config(name: "sw-beta\(Int(beta))", objective: .beta(beta)), run: RunDirectory("\(folder)/sw-beta\(Int(beta))"))
        }
        return SweepPlan(folder: folder, reports: "/shared/reports", iwaeSamples: 8, workingDirectory: "/shared", runs: runs)
    }

    /// The task script asks for the array, a requeue, the time-limit signal (a quarter of short
    /// limits) and runs the absolute binary on the absolute sweep folder; the finish script replaces
    /// its shell with sweep-finish.
    @Test func scriptsNameEverythingByAbsolutePath() {
        let plan = Self.plan()
        let options = SlurmOptions(partition: "debug", time: "00:04:00", cpusPerTask: 2, memory: "1G", extraArguments: ["--qos=short"])
        let task = SlurmSweep.taskScriptText(plan, options: options, binary: "/opt/betavae/bin/betavae", indices: [1],
                                             environment: ["BETAVAE_TEMPLATES": "/opt/betavae/templates"])
        for line in ["#!/bin/bash\n", "#SBATCH --array=1\n", "#SBATCH --requeue\n", "#SBATCH --signal=B:USR1@60\n", "#SBATCH --partition=debug\n",
                     "#SBATCH --time=00:04:00\n", "#SBATCH --mem=1G\n", "#SBATCH --cpus-per-task=2\n", "#SBATCH --qos=short\n",
                     "#SBATCH --chdir=/shared\n", "#SBATCH --output=/shared/runs/sw/slurm/logs/task-%a.log\n",
                     "export BETAVAE_TEMPLATES='/opt/betavae/templates'\n",
                     "'/opt/betavae/bin/betavae' sweep-task '/shared/runs/sw' --index \"$SLURM_ARRAY_TASK_ID\" &\n"] {
            #expect(task.contains(line), "task script lacks \(line)")
        }
        let finish = SlurmSweep.finishScriptText(plan, options: options, binary: "/opt/betavae/bin/betavae")
        #expect(finish.hasSuffix("exec '/opt/betavae/bin/betavae' sweep-finish '/shared/runs/sw'\n"))
        #expect(!finish.contains("--array") && !finish.contains("--requeue"))
        #expect(SlurmOptions(time: "02:00:00").warningSeconds == 120)
    }

    /// sweep.json round-trips; one that names a run outside the sweep folder is refused by name.
    @Test func planRoundTripsAndRefusesRunsOutsideItsFolder() throws {
        let folder = TinyData.folder()
        let plan = Self.plan(folder: folder)
        try plan.write()
        #expect(try SweepPlan.read(folder: folder) == plan)
        var outside = plan
        outside.runs[1].path = "/etc/sw-beta4"
        try outside.write()
        #expect(throws: TrainingError.self) { try SweepPlan.read(folder: folder) }
        #expect(outside.problem?.contains("is not a folder of the sweep folder") == true)
        #expect(plan.localStates() == [.notStarted, .notStarted])
        plan.recordFailure(plan.runs[0], "it broke\nbadly")
        #expect(plan.localStates()[0] == .failed("it broke badly"))
        plan.recordFailure(plan.runs[0], nil)
        #expect(plan.localStates()[0] == .notStarted)
    }
}
