import Engine
import Foundation
import Testing
import Training

/// `sweep --executor slurm` against a real Slurm: scripts/slurm-cluster.sh starts a single-node
/// cluster on this machine (munged, slurmctld, slurmd on localhost) for each test and stops it after.
@Suite(.serialized) struct SlurmTests {
    /// The package's root folder (this file is Tests/CLITests/SlurmTests.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let script = root + "/scripts/slurm-cluster.sh"

    /// Runs a program with extra environment variables.
    static func run(_ executable: String, _ arguments: [String], environment extra: [String: String] = [:]) throws -> CLITests.Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let group = DispatchGroup()
        nonisolated(unsafe) var stderr = Data()
        DispatchQueue.global().async(group: group) { stderr = err.fileHandleForReading.readDataToEndOfFile() }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return CLITests.Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                               stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// slurm-wlm and munge are installed, or could be (the script installs them with apt-get).
    static let packagesInstalled: Bool = {
        guard let result = try? run("/bin/bash", [script, "install"]) else { return false }
        if result.status != 0 { print("SlurmTests skipped: \(result.stderr)") }
        return result.status == 0
    }()

    /// The cluster for one test: started by the script (left alone when it was already running, and
    /// then not stopped either); its SLURM_CONF is set for the betavae processes the test starts.
    struct Cluster {
        let startedHere: Bool
        init() throws {
            let before = try SlurmTests.run("/bin/bash", [SlurmTests.script, "status"])
            let start = try SlurmTests.run("/bin/bash", [SlurmTests.script, "start"])
            guard start.status == 0, let line = start.stdout.split(separator: "\n").last, line.hasPrefix("export SLURM_CONF=") else {
                throw ClusterError(message: "scripts/slurm-cluster.sh start failed: \(start.stderr)")
            }
            setenv("SLURM_CONF", String(line.dropFirst("export SLURM_CONF=".count)), 1)
            startedHere = before.status != 0
        }
        func stop() { if startedHere { _ = try? SlurmTests.run("/bin/bash", [SlurmTests.script, "stop"]) } }
    }
    struct ClusterError: Error, CustomStringConvertible { let message: String; var description: String { message } }

    static func tool(_ name: String) -> String { Tool.find(name) ?? "/usr/bin/\(name)" }

    static func jobs(_ sweep: String) throws -> SlurmSweep.Jobs {
        try JSONDecoder().decode(SlurmSweep.Jobs.self, from: Data(contentsOf: URL(fileURLWithPath: sweep + "/slurm/jobs.json")))
    }

    /// Waits until none of `ids` is in the queue any more; false after `seconds`.
    static func waitForJobs(_ ids: [String], seconds: Double) throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let queue = try run(tool("squeue"), ["-h", "-r", "-j", ids.joined(separator: ","), "-o", "%i"])
            if queue.status == 0 && queue.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return true }
            if queue.status != 0 && queue.stderr.contains("Invalid job id") { return true }
            usleep(300_000)
        }
        return false
    }

    static func tensors(_ path: String) throws -> [String: Tensor] {
        let file = try SafetensorsFile.read(path: path)
        return Dictionary(uniqueKeysWithValues: try file.names.map { ($0, try file.tensor($0)) })
    }

    /// 2 β × 2 seeds on the cluster: four tasks train and report, the comparison job compares them;
    /// a second submission skips the finished runs; a run whose checkpoint is damaged fails alone
    /// and the comparison page says why.
    @Test(.enabled(if: SlurmTests.packagesInstalled, "slurm-wlm and munge could not be installed (scripts/slurm-cluster.sh install)"))
    func sweepRunsAsAJobArrayAndComparesWhatFinished() throws {
        let cluster = try Cluster()
        defer { cluster.stop() }
        let started = Date()
        let data = CLITests.idxFolder(count: 300)
        let sweep = data + "/runs/sw", reports = data + "/reports"
        let arguments = ["sweep", "--executor", "slurm", "--partition", "debug", "--time", "00:05:00", "--cpus-per-task", "1", "--mem", "500M",
                         "--betas", "0.5,4", "--seeds", "0,1", "--dataset", "idx:" + data, "--epochs", "2", "--latent", "2", "--hidden", "8",
                         "--iwae-samples", "4", "--out", sweep, "--reports", reports]
        let submitted = try CLITests.run(arguments)
        #expect(submitted.status == 0, "\(submitted.stderr)")
        #expect(submitted.stdout.contains("submitted job array"), "\(submitted.stdout)")
        #expect(submitted.stdout.split(separator: "\n").last.map(String.init) == reports + "/sw/index.html")
        let script = try String(contentsOfFile: sweep + "/slurm/task.sh", encoding: .utf8)
        for line in ["#SBATCH --array=0-3", "#SBATCH --partition=debug", "#SBATCH --time=00:05:00", "#SBATCH --mem=500M", "#SBATCH --requeue",
                     "#SBATCH --signal=B:USR1@75", "sweep-task '\(sweep)' --index \"$SLURM_ARRAY_TASK_ID\""] {
            #expect(script.contains(line), "task.sh lacks \(line)")
        }
        let first = try Self.jobs(sweep)
        #expect(try Self.waitForJobs([first.array ?? "", first.finish], seconds: 150), "the sweep did not finish in 150 s")

        let names = ["sw-beta0.5-seed0", "sw-beta0.5-seed1", "sw-beta4-seed0", "sw-beta4-seed1"]
        for name in names {
            #expect(try Checkpoint.position(path: "\(sweep)/\(name)/checkpoints/latest.safetensors").epoch == 2, "\(name) did not finish")
            #expect(FileManager.default.fileExists(atPath: "\(reports)/\(name)/index.html"), "\(name) has no report")
            #expect(try RunConfig.read(path: "\(sweep)/\(name)/config.json").seed == (name.hasSuffix("seed1") ? 1 : 0))
        }
        let page = try String(contentsOfFile: reports + "/sw/index.html", encoding: .utf8)
        #expect(page.contains("β = 4, seed 1") && page.contains("β = 0.5, seed 0"))
        #expect(!page.contains("Runs that did not finish"))
        #expect(FileManager.default.fileExists(atPath: reports + "/index.html"))
        let status = try CLITests.run(["sweep", "--status", sweep])
        #expect(status.status == 0 && status.stdout.components(separatedBy: "finished (2 epochs)").count == 5, "\(status.stdout)")
        let sweepSeconds = Date().timeIntervalSince(started)

        // Again, with one run's checkpoint damaged: the three finished runs are not submitted, the
        // damaged one fails alone, and the comparison page lists it with the reason.
        try Data("not a checkpoint".utf8).write(to: URL(fileURLWithPath: sweep + "/sw-beta4-seed1/checkpoints/latest.safetensors"))
        let again = try CLITests.run(arguments)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.components(separatedBy: "already trained; not submitted").count == 4, "\(again.stdout)")
        #expect(try String(contentsOfFile: sweep + "/slurm/task.sh", encoding: .utf8).contains("#SBATCH --array=3\n"))
        let second = try Self.jobs(sweep)
        #expect(try Self.waitForJobs([second.array ?? "", second.finish], seconds: 60))
        let failed = try String(contentsOfFile: reports + "/sw/index.html", encoding: .utf8)
        #expect(failed.contains("Runs that did not finish") && failed.contains("sw-beta4-seed1") && failed.contains("checkpoint unreadable"))
        let after = try CLITests.run(["sweep", "--status", sweep])
        #expect(after.stdout.contains("sw-beta4-seed1    failed: ") && after.stdout.contains("3 of 4 runs finished"), "\(after.stdout)")
        print("SlurmTests: 2 β × 2 seeds sweep took \(String(format: "%.1f", sweepSeconds)) s from submission to comparison; "
              + "the test \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    }

    /// The tiny study of issue 26 on the cluster: eight array tasks train and evaluate their runs,
    /// the closing job writes the study page with all eight in.
    @Test(.enabled(if: SlurmTests.packagesInstalled, "slurm-wlm and munge could not be installed (scripts/slurm-cluster.sh install)"))
    func studyRunsAsAJobArrayAndWritesItsPage() throws {
        let cluster = try Cluster()
        defer { cluster.stop() }
        let started = Date()
        let out = StudyTests.folder() + "/tiny"
        let submitted = try CLITests.run(StudyTests.tinyStudy(out: out, extra: ["--executor", "slurm", "--cpus-per-task", "1", "--time", "00:10:00"]))
        #expect(submitted.status == 0, "\(submitted.stderr)")
        #expect(submitted.stdout.contains("submitted job array") && submitted.stdout.contains("(8 runs, tasks 0-7)"), "\(submitted.stdout)")
        let script = try String(contentsOfFile: out + "/slurm/task.sh", encoding: .utf8)
        #expect(script.contains("study-task '\(out)' --index \"$SLURM_ARRAY_TASK_ID\"") && script.contains("#SBATCH --array=0-7"))
        #expect(try String(contentsOfFile: out + "/slurm/finish.sh", encoding: .utf8).contains("study-finish '\(out)'"))
        let jobs = try Self.jobs(out)
        #expect(try Self.waitForJobs([jobs.array ?? "", jobs.finish], seconds: 900), "the study did not finish in 900 s")
        let page = try String(contentsOfFile: out + "/index.html", encoding: .utf8)
        #expect(page.contains("8 of 8 runs in"), "\((try? String(contentsOfFile: out + "/slurm/logs/finish.log", encoding: .utf8)) ?? "")")
        #expect(FileManager.default.fileExists(atPath: out + "/figures/rank-correlation.svg"))
        let status = try CLITests.run(["study", "--status", out])
        #expect(status.stdout.components(separatedBy: "finished (").count == 9 && status.stdout.contains("8 of 8 runs in"), "\(status.stdout)")
        print("SlurmTests: the tiny study took \(String(format: "%.1f", Date().timeIntervalSince(started))) s on the cluster")
    }

    /// `scontrol requeue` stops a task mid-run (betavae checkpoints on Slurm's SIGTERM); the requeued
    /// task resumes from the checkpoint and ends with the weights of a run that was never stopped.
    @Test(.enabled(if: SlurmTests.packagesInstalled, "slurm-wlm and munge could not be installed (scripts/slurm-cluster.sh install)"))
    func requeuedTaskResumesFromItsCheckpoint() throws {
        let cluster = try Cluster()
        defer { cluster.stop() }
        let started = Date()
        let data = CLITests.idxFolder(count: 6000)
        let settings = ["--dataset", "idx:" + data, "--epochs", "30", "--batch-size", "16", "--latent", "2", "--hidden", "8", "--seed", "3"]
        let sweep = data + "/runs/rq"
        let submitted = try CLITests.run(["sweep", "--executor", "slurm", "--betas", "4", "--cpus-per-task", "1", "--iwae-samples", "4",
                                          "--out", sweep, "--reports", data + "/reports"] + settings)
        #expect(submitted.status == 0, "\(submitted.stderr)")
        let jobs = try Self.jobs(sweep)
        let task = "\(jobs.array ?? "")_0"
        // Requeue once the run has completed three epochs (of 30).
        let metrics = sweep + "/rq-beta4/metrics.csv"
        var deadline = Date().addingTimeInterval(60)
        while Date() < deadline, !((try? String(contentsOfFile: metrics, encoding: .utf8))?.contains("\n3,test,") ?? false) { usleep(20_000) }
        let requeue = try Self.run(Self.tool("scontrol"), ["requeue", task])
        #expect(requeue.status == 0, "\(requeue.stderr)")
        // Meanwhile, the same run trained straight through, here.
        let straight = try CLITests.run(["train", "--beta", "4", "--threads", "1", "--out", data + "/straight"] + settings)
        #expect(straight.status == 0, "\(straight.stderr)")
        // Slurm holds a requeued job for a while (its BeginTime); let it start now.
        deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let state = try Self.run(Self.tool("squeue"), ["-h", "-j", task, "-o", "%T"]).stdout
            if state.contains("PENDING") { break }
            usleep(200_000)
        }
        let release = try Self.run(Self.tool("scontrol"), ["update", "JobId=\(task)", "StartTime=now"])
        #expect(release.status == 0, "\(release.stderr)")
        #expect(try Self.waitForJobs([jobs.array ?? "", jobs.finish], seconds: 120), "the requeued task did not finish in 120 s")

        let log = try String(contentsOfFile: sweep + "/slurm/logs/task-0.log", encoding: .utf8)
        #expect(log.contains("DUE TO JOB REQUEUE") && log.contains("checkpoint saved"), "\(log)")
        #expect(log.contains("resuming \(sweep)/rq-beta4 after epoch"), "\(log)")
        #expect(log.contains("(restart 1)"))
        let a = try Self.tensors(data + "/straight/checkpoints/latest.safetensors")
        let b = try Self.tensors(sweep + "/rq-beta4/checkpoints/latest.safetensors")
        #expect(a.keys.sorted() == b.keys.sorted())
        for (name, tensor) in a { #expect(b[name] == tensor, "\(name) differs after the requeue") }
        #expect(FileManager.default.fileExists(atPath: data + "/reports/rq-beta4/index.html"))
        print("SlurmTests: requeue test \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    }

    /// Bad Slurm options end in one line and exit 64 before anything is written; a missing sbatch and
    /// one that refuses the job end in one line with exit 1, the refusal's message passed through.
    @Test func slurmOptionsAreCheckedAndSbatchErrorsAreOneLine() throws {
        let data = CLITests.idxFolder(count: 300)
        let base = ["sweep", "--betas", "1,4", "--dataset", "idx:" + data, "--epochs", "1", "--latent", "2", "--hidden", "8", "--out", data + "/runs/sw",
                    "--reports", data + "/reports"]
        for (extra, message) in [
            (["--executor", "slurm", "--time", "1:00"], "--time must be [D-]HH:MM:SS"),
            (["--executor", "slurm", "--time", "00:61:00"], "--time must be [D-]HH:MM:SS"),
            (["--executor", "slurm", "--mem", "4X"], "--mem must be a positive whole number with an optional K, M, G or T suffix (like 4G), not '4X'"),
            (["--executor", "slurm", "--partition", "a b"], "--partition must be partition names"),
            (["--executor", "slurm", "--sbatch-arg=--array=0-9"], "--sbatch-arg --array=0-9: betavae sets --array itself"),
            (["--executor", "slurm", "--sbatch-arg", "account"], "--sbatch-arg must be one sbatch option"),
            (["--executor", "slurm", "--jobs", "2"], "--jobs applies only to --executor local"),
            (["--executor", "slurm", "--force"], "--force applies only to --executor local"),
            (["--partition", "debug"], "--partition applies only with --executor slurm"),
            (["--executor", "cloud"], "The value 'cloud' is invalid for '--executor"),
            (["--seeds", "1,1"], "--seeds names seed 1 twice; give each seed once"),
            (["--seeds", "1,x"], "--seeds must be whole numbers ≥ 0 separated by commas; 'x' is not"),
            (["--seeds", "1,2", "--seed", "3"], "--seed with --seeds: a sweep takes its seeds from --seeds"),
        ] {
            let result = try CLITests.run(base + extra)
            #expect(result.status == 64, "\(extra): \(result.status) \(result.stderr)")
            #expect(result.stderr.hasPrefix("betavae: ") && result.stderr.split(separator: "\n").count == 1, "\(extra): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(extra): \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: data + "/runs"), "\(extra) wrote into the sweep folder")
        }
        let noStatus = try CLITests.run(["sweep", "--status", data + "/nothing"])
        #expect(noStatus.status == 1 && noStatus.stderr == "betavae: \(data)/nothing/sweep.json: not found; 'betavae sweep' writes it into the sweep folder (its --out)\n",
                "\(noStatus.stderr)")

        // No sbatch on PATH.
        let missing = try Self.run(CLITests.binary, base + ["--executor", "slurm"], environment: ["PATH": "/nonexistent"])
        #expect(missing.status == 1, "\(missing.stderr)")
        #expect(missing.stderr == "betavae: sbatch not found on PATH: --executor slurm runs on a machine with Slurm's client commands (or use --executor local)\n")

        // An sbatch that refuses the job: its message, on one line.
        let bin = data + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try "#!/bin/sh\necho 'sbatch: error: invalid partition specified: nosuch' >&2\necho 'sbatch: error: Batch job submission failed: Invalid partition name specified' >&2\nexit 1\n"
            .write(toFile: bin + "/sbatch", atomically: true, encoding: .utf8)
        chmod(bin + "/sbatch", 0o755)
        let refused = try Self.run(CLITests.binary, base + ["--executor", "slurm", "--partition", "nosuch"],
                                   environment: ["PATH": bin + ":/usr/bin:/bin"])
        #expect(refused.status == 1)
        #expect(refused.stderr == "betavae: sbatch refused the sweep's job array (exit 1): sbatch: error: invalid partition specified: nosuch "
                + "sbatch: error: Batch job submission failed: Invalid partition name specified\n", "\(refused.stderr)")
    }
}

/// The local executor with the same failure handling as the Slurm one.
@Suite struct LocalSweepFailureTests {
    /// A run that fails (here: its checkpoint damaged) stops only itself: the others are reported and
    /// compared, the page and `--status` say what failed and why, and the sweep exits 1 with one line.
    @Test func failedRunIsListedAndTheOthersCompared() throws {
        let data = CLITests.idxFolder(count: 300)
        let arguments = ["sweep", "--betas", "0.5,1,4", "--dataset", "idx:" + data, "--epochs", "1", "--latent", "2", "--hidden", "8",
                         "--threads", "1", "--iwae-samples", "4", "--out", data + "/runs/sw", "--reports", data + "/reports"]
        #expect(try CLITests.run(arguments).status == 0)
        try Data("damaged".utf8).write(to: URL(fileURLWithPath: data + "/runs/sw/sw-beta4/checkpoints/latest.safetensors"))
        let again = try CLITests.run(arguments)
        #expect(again.status == 1)
        #expect(again.stderr.hasPrefix("betavae: 1 of 3 runs failed (listed on \(data)/reports/sw/index.html); the first: \(data)/runs/sw/sw-beta4: "),
                "\(again.stderr)")
        #expect(again.stderr.split(separator: "\n").count == 1)
        let page = try String(contentsOfFile: data + "/reports/sw/index.html", encoding: .utf8)
        #expect(page.contains("Runs that did not finish") && page.contains("sw-beta4") && page.contains("checkpoint unreadable"))
        #expect(page.contains("β = 0.5") && page.contains("β = 1"))
        let status = try CLITests.run(["sweep", "--status", data + "/runs/sw"])
        #expect(status.stdout.contains("sw-beta4    failed: ") && status.stdout.contains("2 of 3 runs finished"), "\(status.stdout)")
    }
}
