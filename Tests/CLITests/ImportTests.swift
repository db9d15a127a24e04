import Engine
import Foundation
import Models
import Testing
import Training

/// `betavae import`: weights saved by each repository's model (recreated in scripts/import_models.py)
/// give PyTorch's posterior means and decoder outputs once imported; bad weights and logs are
/// refused by name with nothing written; an imported run reports with or without its log.
@Suite(.serialized) struct ImportTests {
    static let torchAvailable: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", "import torch, safetensors.torch"]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../scripts").standardized.path

    static func folder() -> String {
        let folder = NSTemporaryDirectory() + "betavae-import-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Runs `executable` with `arguments`: exit status and standard output.
    static func tool(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    static func largestDifference(_ a: Tensor, _ b: Tensor) -> Float {
        guard a.shape == b.shape else { return .infinity }
        return zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
    }

    /// Each repository's model, built in PyTorch with random weights and saved as it would save
    /// them, imported by the command line into a run on 64×64 sprites: the run's model gives
    /// PyTorch's μ, log σ² and decoder output (probabilities for YannDubs' sigmoid decoder, logits
    /// for the others) on the same images within 1e-4, and config.json names the file by its SHA-256.
    @Test(.enabled(if: torchAvailable, "needs /usr/bin/python3 with torch and safetensors (python3-torch, pip safetensors)"),
          arguments: [("yanndubs", "burgess"), ("1konny", "burgess"), ("1konny-h", "conv64"), ("disent", "dislib"), ("betavae", "burgess")])
    func importedModelMatchesPyTorch(repository: String, model: String) throws {
        let folder = Self.folder()
        let made = try Self.tool("/usr/bin/python3", [Self.scripts + "/import_models.py", repository, folder, "--latent", "4", "--channels", "1", "--seed", "3"])
        #expect(made.status == 0)
        let source = repository == "1konny-h" ? "1konny" : repository
        let result = try CLITests.run(["import", folder + "/weights.safetensors", "--from", source, "--model", model, "--latent", "4",
                                       "--dataset", "sprites", "--limit", "64", "--test-limit", "16", "--threads", "1", "--out", folder + "/run"])
        #expect(result.status == 0, "\(result.stderr)")
        let loaded = try LoadedRun.load(folder + "/run")
        let expected = try SafetensorsFile.read(path: folder + "/expected.safetensors")
        let (mean, logVariance) = loaded.model.encode(try expected.tensor("images"))
        #expect(Self.largestDifference(mean, try expected.tensor("mu")) < 1e-4)
        #expect(Self.largestDifference(logVariance, try expected.tensor("logvar")) < 1e-4)
        let mu = try expected.tensor("mu")
        let decoded = repository == "yanndubs" ? loaded.model.decodeImages(mu) : loaded.model.decode(mu)
        let difference = Self.largestDifference(decoded, try expected.tensor("decoded"))
        #expect(difference < 1e-4, "decoder output differs from PyTorch's by \(difference)")

        let provenance = try #require(loaded.config.importedFrom)
        let digest = try Self.tool("/usr/bin/sha256sum", [folder + "/weights.safetensors"]).output.split(separator: " ").first.map(String.init)
        #expect(provenance.sha256 == digest)
        #expect(provenance.source.rawValue == source)
        #expect(provenance.mapping.count == loaded.model.namedParameters.count)
        #expect(loaded.epoch == 1 && loaded.run.snapshotEpochs() == [1])
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// YannDubs' posterior layer interleaves μ and log σ² by row; ours holds μ first (no PyTorch needed):
    /// rows (μ0, v0, μ1, v1, μ2, v2) of width 2 become (μ0, μ1, μ2, v0, v1, v2), and a bias likewise.
    @Test func interleavedPosteriorRowsAreReordered() {
        let mapping = ParameterMapping(source: "encoder.mu_logvar_gen.weight", target: "encoder.4.weight", rows: .interleavedMeanLogVariance)
        let rows: [Float] = [0, 0.5, 10, 10.5, 1, 1.5, 11, 11.5, 2, 2.5, 12, 12.5]   // μ_j = j, log σ²_j = 10 + j
        #expect(mapping.ourLayout(rows, shape: [6, 2]) == [0, 0.5, 1, 1.5, 2, 2.5, 10, 10.5, 11, 11.5, 12, 12.5])
        #expect(mapping.ourLayout([0, 10, 1, 11], shape: [4]) == [0, 1, 10, 11])
        let same = ParameterMapping(source: "a", target: "b", rows: .same)
        #expect(same.ourLayout(rows, shape: [6, 2]) == rows)
    }

    /// SHA-256 known answers (FIPS 180-4's "abc" and the empty message), as sha256sum prints them.
    @Test func sha256KnownAnswers() {
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    /// `importedFrom` is optional: a config.json without it (every run trained before import) reads
    /// as before and is written without the key; a damaged provenance is refused by name.
    @Test func provenanceIsOptionalInConfig() throws {
        let spec = ModelSpec(architecture: .mlp, imageShape: [1, 28, 28], hidden: [8], latent: 2)
        var config = RunConfig(toolVersion: "t", name: "r", dataset: "fashion-mnist", dataDirectory: nil, limit: nil, testLimit: nil,
                               binarize: "none", channels: 1, model: spec, objective: .beta(1), epochs: 1, batchSize: 8,
                               learningRate: 1e-3, clipNorm: nil, seed: 0, snapshotEvery: 1, threads: 1)
        let plain = config.encoded()
        #expect(!String(decoding: plain, as: UTF8.self).contains("importedFrom"))
        #expect(try RunConfig.decode(plain, path: "config.json").importedFrom == nil)
        config.importedFrom = ImportProvenance(file: "/w.safetensors", sha256: String(repeating: "a", count: 64), source: .yanndubs,
                                               sourceModel: "m", mapping: [ParameterMapping(source: "a", target: "b", rows: .same)], skipped: 0)
        #expect(try RunConfig.decode(config.encoded(), path: "config.json") == config)
        config.importedFrom?.sha256 = "not a digest"
        #expect(throws: TrainingError.self) { try RunConfig.decode(config.encoded(), path: "config.json") }
    }

    /// 1Konny's BetaVAE_H given as BetaVAE_B (--model burgess): refused in one line naming the tensor
    /// that tells them apart and the --model that fits.
    @Test(.enabled(if: torchAvailable, "needs /usr/bin/python3 with torch and safetensors"))
    func betaVAEHAsBurgessIsRefusedByItsTensor() throws {
        let folder = Self.folder()
        #expect(try Self.tool("/usr/bin/python3", [Self.scripts + "/import_models.py", "1konny-h", folder, "--latent", "4"]).status == 0)
        try BoundaryTests.expectRefused(["import", folder + "/weights.safetensors", "--from", "1konny", "--model", "burgess", "--latent", "4",
                                         "--dataset", "sprites", "--limit", "64", "--test-limit", "16", "--out", folder + "/run"],
                                        code: 1, message: "'encoder.8.weight' is BetaVAE_H's 256-channel 4×4 convolution: import BetaVAE_H with --model conv64",
                                        watching: folder)
    }

    /// YannDubs-named weights of a burgess model with Z = 4, written here (no PyTorch needed):
    /// each of our parameters under the name the mapping gives it, `change` applied to the list.
    static func yannDubsWeights(to path: String,
                                change: (inout [(name: String, tensor: Tensor)]) -> Void = { _ in }) throws {
        var rng = RandomGenerator(seed: 7)
        let spec = ModelSpec(architecture: .burgess, imageShape: [1, 64, 64], latent: 4)
        let model = VAE(spec: spec, rng: &rng)
        let values = Dictionary(uniqueKeysWithValues: model.namedParameters.map { ($0.name, $0.parameter.value) })
        let mapping = try #require(WeightSource.yanndubs.mapping(for: spec, ourNames: model.namedParameters.map(\.name)))
        var tensors = mapping.map { (name: $0.source, tensor: values[$0.target] ?? Tensor(shape: [0])) }
        change(&tensors)
        try SafetensorsWriter.write(tensors, to: path)
    }

    /// A missing tensor, a wrong shape, NaN, an unknown name, an integer tensor: exit 1, one line
    /// naming the tensor, nothing written — neither a new run nor a change to an existing one
    /// that --force would have replaced.
    @Test func badWeightsAreRefusedByName() throws {
        let folder = Self.folder()
        let good = folder + "/good.safetensors"
        try Self.yannDubsWeights(to: good)
        let common = ["--from", "yanndubs", "--model", "burgess", "--latent", "4", "--dataset", "sprites", "--limit", "64",
                      "--test-limit", "16", "--threads", "1"]
        let cases: [(String, String, (inout [(name: String, tensor: Tensor)]) -> Void)] = [
            ("missing", "tensor 'decoder.convT2.weight' is missing", { $0.removeAll { $0.name == "decoder.convT2.weight" } }),
            ("shape", "tensor 'encoder.mu_logvar_gen.weight' has shape [12, 256] but", { list in
                if let i = list.firstIndex(where: { $0.name == "encoder.mu_logvar_gen.weight" }) { list[i].tensor = Tensor(shape: [12, 256]) }
            }),
            ("nan", "tensor 'encoder.lin2.weight' holds values that are not finite", { list in
                if let i = list.firstIndex(where: { $0.name == "encoder.lin2.weight" }) { list[i].tensor[5] = .nan }
            }),
            ("unknown", "tensor 'encoder.lin3.weight' is not a parameter of YannDubs/disentangling-vae", {
                $0.append((name: "encoder.lin3.weight", tensor: Tensor(shape: [2, 2])))
            }),
        ]
        for (name, message, change) in cases {
            let path = folder + "/\(name).safetensors"
            try Self.yannDubsWeights(to: path, change: change)
            try BoundaryTests.expectRefused(["import", path] + common + ["--out", folder + "/run-\(name)"], code: 1, message: message, watching: folder)
            #expect(!FileManager.default.fileExists(atPath: folder + "/run-\(name)"))
        }
        // An existing run stays as it was when --force meets bad weights; good weights then replace it.
        #expect(try CLITests.run(["import", good] + common + ["--out", folder + "/run"]).status == 0)
        try BoundaryTests.expectRefused(["import", folder + "/nan.safetensors"] + common + ["--out", folder + "/run", "--force"],
                                        code: 1, message: "'encoder.lin2.weight' holds values that are not finite", watching: folder)
        // Options: a model the repository has none of (64), a training option (64).
        try BoundaryTests.expectRefused(["import", good, "--from", "yanndubs", "--model", "mlp", "--out", folder + "/x"], code: 64,
                                        message: "--from yanndubs imports as --model burgess, not mlp", watching: folder)
        try BoundaryTests.expectRefused(["import", good] + common + ["--lr", "0.1", "--out", folder + "/x"], code: 64,
                                        message: "--lr is a training option", watching: folder)
        // A log with a hole in its epochs names the file and the epoch.
        let log = folder + "/train_losses.log"
        try Self.yannDubsLog(epochs: [0, 2], latent: 4).write(toFile: log, atomically: true, encoding: .utf8)
        try BoundaryTests.expectRefused(["import", good] + common + ["--metrics", log, "--out", folder + "/x"], code: 1,
                                        message: "train_losses.log: epoch 1 is missing", watching: folder)
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// YannDubs' train_losses.log for `epochs`: loss = 100 + 10·(3 − e), recon = loss − 5, KL 5 spread over Z.
    static func yannDubsLog(epochs: [Int], latent: Int) -> String {
        var lines = ["Epoch,Loss,Value"]
        for e in epochs {
            let loss = 100.0 + 10.0 * Double(3 - e)
            lines += ["\(e),loss,\(loss)", "\(e),recon_loss,\(loss - 5)", "\(e),kl_loss,5.0"]
            lines += (0..<latent).map { "\(e),kl_loss_\($0),\(5.0 / Double(latent))" }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Without a log the report leaves out the loss curves and says why; with YannDubs' log the
    /// curves come back, the log's epochs become metrics.csv's train rows (epoch E → E + 1), the
    /// weights are epoch 3, and compare takes the imported run beside one trained here.
    @Test func importedRunsReportWithAndWithoutTheirLog() throws {
        let folder = Self.folder()
        let data = CLITests.idxFolder(count: 200)
        let trained = folder + "/trained"
        let common = ["--dataset", "idx:" + data, "--latent", "4", "--hidden", "16", "--threads", "1"]
        #expect(try CLITests.run(["train"] + common + ["--epochs", "1", "--batch-size", "50", "--out", trained]).status == 0)
        let weights = trained + "/checkpoints/latest.safetensors"   // this tool's names, with Adam's moments to skip
        let log = folder + "/train_losses.log"
        try Self.yannDubsLog(epochs: [0, 1, 2], latent: 4).write(toFile: log, atomically: true, encoding: .utf8)
        let bare = folder + "/bare", logged = folder + "/logged"
        #expect(try CLITests.run(["import", weights] + common + ["--out", bare]).status == 0)
        let withLog = try CLITests.run(["import", weights] + common + ["--metrics", log, "--out", logged])
        #expect(withLog.status == 0, "\(withLog.stderr)")

        // The imported checkpoint evaluates as the run that saved it did at the same epoch (same data, seeds and pass).
        let original = try MetricsLog.read(path: trained + "/metrics.csv").rows(split: "test").last
        #expect(try MetricsLog.read(path: bare + "/metrics.csv").rows(split: "test").map(\.nelbo) == [original?.nelbo ?? 0])
        let metrics = try MetricsLog.read(path: logged + "/metrics.csv")
        #expect(metrics.rows(split: "train").map(\.epoch) == [1, 2, 3])
        #expect(metrics.rows(split: "train").map(\.loss) == [130, 120, 110])
        #expect(metrics.rows(split: "train")[0].klPerDimension == [1.25, 1.25, 1.25, 1.25])
        #expect(metrics.rows(split: "test").map(\.epoch) == [3])
        let config = try RunConfig.read(path: logged + "/config.json")
        #expect(config.epochs == 3 && config.importedFrom?.metricsFormat == "yanndubs" && config.importedFrom?.skipped ?? 0 > 0)

        for (run, out) in [(bare, folder + "/report-bare"), (logged, folder + "/report-logged")] {
            let report = try CLITests.run(["report", run, "--out", out, "--iwae-samples", "2"])
            #expect(report.status == 0, "\(report.stderr)")
        }
        let barePage = try String(contentsOfFile: folder + "/report-bare/index.html", encoding: .utf8)
        #expect(barePage.contains("Imported weights") && barePage.contains("This run has no training history"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/report-bare/figures/loss-curves.png"))
        #expect(FileManager.default.fileExists(atPath: folder + "/report-bare/figures/samples.png"))
        let loggedPage = try String(contentsOfFile: folder + "/report-logged/index.html", encoding: .utf8)
        #expect(loggedPage.contains("training log") && !loggedPage.contains("This run has no training history"))
        #expect(FileManager.default.fileExists(atPath: folder + "/report-logged/figures/loss-curves.png"))

        let compare = try CLITests.run(["compare", trained, bare, logged, "--out", folder + "/compare", "--iwae-samples", "2"])
        #expect(compare.status == 0, "\(compare.stderr)")
        try? FileManager.default.removeItem(atPath: folder)
        try? FileManager.default.removeItem(atPath: data)
    }
}
