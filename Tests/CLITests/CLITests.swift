import Engine
import Foundation
import Testing
import Training

/// The `betavae` binary as a user runs it: exit codes, error lines, SIGINT, resume.
@Suite(.serialized) struct CLITests {
    /// The betavae executable built beside the test bundle, or `$BETAVAE_BINARY` (run these tests
    /// through the release build: `BETAVAE_BINARY=.build/release/betavae swift test --filter …`).
    static let binary: String = {
        if let chosen = ProcessInfo.processInfo.environment["BETAVAE_BINARY"], !chosen.isEmpty {
            return URL(fileURLWithPath: chosen).standardizedFileURL.path
        }
        let candidates = [Bundle.main.bundleURL, URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
            .flatMap { [$0.appendingPathComponent("betavae"), $0.deletingLastPathComponent().appendingPathComponent("betavae")] }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }?.path ?? "betavae"
    }()

    struct Result { var status: Int32; var stdout: String; var stderr: String }

    static func start(_ arguments: [String], through wrapper: [String] = []) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: wrapper.first ?? binary)
        process.arguments = wrapper.isEmpty ? arguments : Array(wrapper.dropFirst()) + [binary] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return (process, out, err)
    }

    /// Runs betavae with `arguments` to its end; with `user`, as that user id (through setpriv,
    /// for what root's permissions would hide).
    static func run(_ arguments: [String], as user: String? = nil) throws -> Result {
        let (process, out, err) = try user.map { id in
            try start(arguments, through: ["/usr/bin/setpriv", "--reuid=\(id)", "--regid=\(id)", "--clear-groups"])
        } ?? start(arguments)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// An IDX folder of `count` synthetic 28×28 images (a bar whose row is the label) for a quick run.
    static func idxFolder(count: Int) -> String {
        let folder = NSTemporaryDirectory() + "betavae-cli-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        func be(_ v: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8((v >> $0) & 0xFF) } }
        for (stem, n) in [("train", count), ("t10k", count / 5)] {
            var pixels = [UInt8](repeating: 0, count: n * 784)
            var labels = [UInt8]()
            for i in 0..<n {
                labels.append(UInt8(i % 10))
                for x in 4..<24 { pixels[i * 784 + (3 + 2 * (i % 10)) * 28 + x] = UInt8(180 + (i * 7 + x) % 70) }
            }
            FileManager.default.createFile(atPath: "\(folder)/\(stem)-images-idx3-ubyte", contents: Data(be(0x803) + be(n) + be(28) + be(28) + pixels))
            FileManager.default.createFile(atPath: "\(folder)/\(stem)-labels-idx1-ubyte", contents: Data(be(0x801) + be(n) + labels))
        }
        return folder
    }

    @Test func helpListsTheSubcommands() throws {
        let result = try Self.run(["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("train") && result.stdout.contains("datasets"))
        let train = try Self.run(["train", "--help"])
        #expect(train.stdout.contains("--capacity-max") && train.stdout.contains("(default: 25.0)"))
    }

    @Test(arguments: [
        (["--beta=-1"], "--beta must be ≥ 0"),
        (["--latent", "0"], "--latent must be 1…1024, not 0"),
        (["--model", "resnet"], "The value 'resnet' is invalid for '--model <model>'"),
        (["--model", "burgess"], "model burgess needs 64×64 images"),
        (["--batch-size", "5000"], "--batch-size 5000 is larger than the 300 training images"),
        (["--objective", "tcvae", "--kl-warmup", "10"], "--kl-warmup applies only with --objective beta; it does nothing for --objective tcvae"),
        (["--alpha", "2"], "--alpha applies only with --objective tcvae"),
        (["--objective", "capacity", "--gamma-dim", "2"], "--gamma-dim applies only with --objective tcvae"),
        (["--objective", "tcvae", "--beta", "4"], "--beta applies only with --objective beta"),
        (["--objective", "factorvae", "--discriminator-layers", "0"], "--discriminator-layers must be 1…16, not 0"),
        (["--objective", "dipvae-i", "--lambda-od", "nan"], "--lambda-od must be a finite number ≥ 0, not nan"),
        (["--objective", "dipvae-ii", "--lambda-d=-1"], "--lambda-d must be a finite number ≥ 0, not -1.0"),
        (["--gamma", "5"], "--gamma applies only with --objective capacity"),
        (["--lr-min", "1e-5"], "--lr-min applies only with --lr-schedule cosine"),
        (["--lr-schedule", "cosine", "--lr-min", "0.5"], "--lr-min 0.5 is above --lr 0.001"),
        (["--lr-schedule", "step", "--lr-step-factor", "2"], "--lr-step-factor must be in (0, 1], not 2.0"),
        (["--objective", "tcvae", "--tc-sampling", "stratified", "--batch-size", "1"], "--tc-sampling stratified needs --batch-size 2 or more"),
    ])
    func badOptionsExit64WithOneLine(arguments: [String], message: String) throws {
        let data = Self.idxFolder(count: 300)
        let result = try Self.run(["train", "--dataset", "idx:" + data, "--out", data + "/run"] + arguments)
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: data + "/run/config.json"))
    }

    @Test func missingDatasetIsOneClearLine() throws {
        let result = try Self.run(["train", "--dataset", "mnist", "--data-dir", "/nonexistent", "--out", NSTemporaryDirectory() + "x-\(UUID())"])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("betavae: /nonexistent/train-images-idx3-ubyte[.gz]: not found.") == true)
    }

    /// SIGINT mid-training saves a checkpoint and exits 130; --resume finishes the run with the same
    /// weights, bit for bit, as a run that was never stopped. A finished run is not overwritten.
    @Test func interruptResumeAndRefuseOverwrite() throws {
        let data = Self.idxFolder(count: 6000)
        let common = ["train", "--dataset", "idx:" + data, "--epochs", "2", "--batch-size", "16", "--latent", "5", "--seed", "3", "--threads", "1"]
        let straight = data + "/straight", stopped = data + "/stopped"
        #expect(try Self.run(common + ["--out", straight]).status == 0)

        let (process, out, _) = try Self.start(common + ["--out", stopped])
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: stopped + "/metrics.csv") && Date() < deadline { usleep(20_000) }
        usleep(150_000)
        process.interrupt()
        _ = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        let saved = try SafetensorsFile.read(path: stopped + "/checkpoints/latest.safetensors")
        #expect(saved.metadata["epoch"] != "2", "the run should have been stopped before its end")
        try RunLock(run: RunDirectory(stopped)).release()   // the stopped process let go of its lock
        // Reports of the interrupted run use the last completed epoch's weights, not the mid-epoch ones.
        if saved.metadata["partial_batches_done"] != nil, let completed = saved.metadata["epoch"].flatMap(Int.init) {
            let loaded = try LoadedRun.load(stopped)
            #expect(loaded.epoch == completed)
            let epochFile = try SafetensorsFile.read(path: stopped + String(format: "/checkpoints/epoch-%04d.safetensors", completed))
            #expect(loaded.model.namedParameters.first?.parameter.value == (try epochFile.tensor("encoder.0.weight")))
        }

        let resumed = try Self.run(["train", "--resume", stopped])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let a = try SafetensorsFile.read(path: straight + "/checkpoints/latest.safetensors")
        let b = try SafetensorsFile.read(path: stopped + "/checkpoints/latest.safetensors")
        for name in a.names { #expect(try a.tensor(name) == b.tensor(name), "\(name) differs after resume") }

        let again = try Self.run(common + ["--out", straight])
        #expect(again.status == 1)
        #expect(again.stderr.contains("already holds a run; pass --resume"))
    }

    /// A run whose lock this test process holds is refused at once, naming this process and
    /// what to do; nothing is written into the run.
    @Test func lockedRunIsRefused() throws {
        let data = Self.idxFolder(count: 300)
        let lock = try RunLock(run: RunDirectory(data + "/run"))
        defer { lock.release() }
        let result = try Self.run(["train", "--dataset", "idx:" + data, "--out", data + "/run"])
        #expect(result.status == 1)
        #expect(result.stderr == "betavae: \(data)/run is being trained by betavae process \(getpid()); wait for it to finish, "
                + "or stop it with 'kill \(getpid())' (it saves a checkpoint) and resume\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: data + "/run") == [".lock"])
    }
}
