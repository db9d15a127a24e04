import Engine
import Foundation
import Testing
import Training

/// Hostile and careless input at the command line's boundary: every case ends in exactly one line
/// on stderr naming the option or file and what to do, exit code 64 (options) or 1 (files), no
/// signal, and no file created or changed.
@Suite(.serialized) struct BoundaryTests {
    /// Every file below `folder` with its bytes and modification date.
    static func tree(_ folder: String) -> [String: (Data, Date)] {
        var files: [String: (Data, Date)] = [:]
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return files }
        for case let relative as String in walker {
            let path = folder + "/" + relative
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue,
                  let data = FileManager.default.contents(atPath: path),
                  let date = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date else { continue }
            files[relative] = (data, date)
        }
        return files
    }

    static func expectUnchanged(_ before: [String: (Data, Date)], _ after: [String: (Data, Date)], _ what: String) {
        #expect(Set(before.keys) == Set(after.keys), "\(what): files added or removed")
        for (name, (data, date)) in before {
            #expect(after[name]?.0 == data && after[name]?.1 == date, "\(what): \(name) changed")
        }
    }

    /// Runs betavae and checks the one-line, exit-code and nothing-written contract.
    static func expectRefused(_ arguments: [String], code: Int32, message: String, watching folder: String,
                              sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = tree(folder)
        let result = try CLITests.run(arguments)
        #expect(result.status == code, "\(arguments): exit \(result.status), \(result.stderr)", sourceLocation: sourceLocation)
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 2 && lines[1].isEmpty, "\(arguments): not one line: \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.hasPrefix("betavae: "), sourceLocation: sourceLocation)
        #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)", sourceLocation: sourceLocation)
        expectUnchanged(before, tree(folder), "\(arguments)")
    }

    /// A tiny finished run (300 synthetic images, 2 epochs, Z = 3), trained once and copied per case.
    static let trainedRun: (data: String, run: String) = {
        let data = CLITests.idxFolder(count: 300)
        let run = data + "/base"
        let result = try? CLITests.run(["train", "--dataset", "idx:" + data, "--epochs", "2", "--latent", "3", "--hidden", "16",
                                        "--batch-size", "50", "--threads", "1", "--out", run])
        precondition(result?.status == 0, "fixture run failed: \(result?.stderr ?? "")")
        return (data, run)
    }()

    static func copyOfRun(_ name: String) throws -> String {
        let copy = trainedRun.data + "/" + name + "-" + UUID().uuidString.prefix(8)
        try FileManager.default.copyItem(atPath: trainedRun.run, toPath: copy)
        return copy
    }

    @Test(arguments: [
        (["--beta", "inf"], "--beta must be a finite number, not inf"),
        (["--beta=-1"], "--beta must be ≥ 0, not -1.0"),
        (["--clip-norm", "nan"], "--clip-norm must be a finite number, not nan"),
        (["--capacity-max", "nan"], "--capacity-max must be a finite number, not nan"),
        (["--latent", "100000000"], "--latent must be 1…1024, not 100000000"),
        (["--hidden", "1000000000000"], "--hidden must be sizes 1…16384 separated by commas, not '1000000000000'"),
        (["--hidden", "16,,16"], "--hidden must be sizes 1…16384 separated by commas, not '16,,16'"),
        (["--hidden", "400,4000,16000,16000"], "the model would have more than 100000000 parameters"),
        (["--threads", "100000"], "--threads must be 1…256, not 100000"),
        (["--epochs", "0"], "--epochs must be 1…100000, not 0"),
        (["--batch-size", "0"], "--batch-size must be 1…65536, not 0"),
        (["--channels", "2"], "--channels must be 1 or 3, not 2"),
        (["--binarize", "maybe"], "The value 'maybe' is invalid for '--binarize <binarize>'"),
        (["--objective", "tc"], "The value 'tc' is invalid for '--objective <objective>'"),
        (["--dataset", "cifar"], "unknown dataset 'cifar'"),
        (["--deterministic", "--beta", "4"], "--beta with --deterministic: an autoencoder has no KL term to weigh"),
        (["--capacity-max", "10"], "--capacity-max applies only with --objective capacity"),
        (["--objective", "capacity", "--beta", "4"], "--beta with --objective capacity"),
        (["--model", "conv28", "--hidden", "100"], "--hidden applies only to --model mlp"),
        (["--channels", "1"], "--channels applies only to images:DIR datasets"),
        (["--keep-checkpoints", "0"], "--keep-checkpoints must be 1…100001, not 0"),
    ])
    func trainOptionsAreRefusedBeforeAnythingIsWritten(arguments: [String], message: String) throws {
        let data = CLITests.idxFolder(count: 300)
        try Self.expectRefused(["train", "--dataset", "idx:" + data, "--out", data + "/run"] + arguments, code: 64, message: message,
                               watching: data)
        #expect(!FileManager.default.fileExists(atPath: data + "/run"))
    }

    @Test func otherCommandsRefuseBadOptions() throws {
        let run = try Self.copyOfRun("options")
        let folder = Self.trainedRun.data
        try Self.expectRefused(["evaluate", run, "--iwae-samples", "0"], code: 64, message: "--iwae-samples must be 1…100000, not 0", watching: folder)
        try Self.expectRefused(["evaluate", run, "--iwae-samples=-1"], code: 64, message: "--iwae-samples must be 1…100000, not -1", watching: folder)
        try Self.expectRefused(["evaluate", run, "--iwae-images", "0"], code: 64, message: "--iwae-images must be positive, not 0", watching: folder)
        try Self.expectRefused(["evaluate", run, "--epoch", "7"], code: 64, message: "--epoch 7: \(run) has no checkpoint of that epoch", watching: folder)
        try Self.expectRefused(["report", run, "--figures", "samples,,curves"], code: 64, message: "--figures must be values separated by single commas",
                               watching: folder)
        try Self.expectRefused(["report", run, "--figures", "nonsense"], code: 64, message: "--figures: unknown figure 'nonsense'", watching: folder)
        try Self.expectRefused(["compare", run, Self.trainedRun.run, "--baseline", folder + "/elsewhere"], code: 64,
                               message: "--baseline \(folder)/elsewhere is not one of the runs being compared", watching: folder)
        try Self.expectRefused(["compare", run, run], code: 64, message: "compare: each run may be named once", watching: folder)
        for (betas, message) in [("1,,4", "--betas must be values separated by single commas, not '1,,4'"),
                                 ("1,1", "--betas names β = 1 twice; give each β once"),
                                 ("0.1,0.10", "--betas names β = 0.1 twice; give each β once"),
                                 ("1,inf", "--betas must be finite β ≥ 0 separated by commas; 'inf' is not")] {
            try Self.expectRefused(["sweep", "--betas", betas, "--out", folder + "/sweep"], code: 64, message: message, watching: folder)
        }
    }

    /// A β large enough to overflow the Float32 loss is refused with its bound (issue 25, class 7);
    /// the largest allowed β trains.
    @Test func weightsPastTheirBoundAreRefused() throws {
        let data = CLITests.idxFolder(count: 300)
        let bound = "must be at most 1000000"
        try Self.expectRefused(["train", "--dataset", "idx:" + data, "--beta", "1e30", "--out", data + "/run"], code: 64,
                               message: "--beta \(bound), not 1e+30 (a larger weight can overflow the single-precision loss)", watching: data)
        try Self.expectRefused(["sweep", "--betas", "1e20,1e30", "--dataset", "idx:" + data, "--out", data + "/sweep"], code: 64,
                               message: "--betas \(bound), not 1e+20", watching: data)
        for (option, value) in [("--gamma", "2e6"), ("--capacity-max", "1e7"), ("--capacity-start", "1e9")] {
            try Self.expectRefused(["train", "--dataset", "idx:" + data, "--objective", "capacity", option, value, "--out", data + "/run"],
                                   code: 64, message: "\(option) \(bound)", watching: data)
        }
        for option in ["--alpha", "--tc-weight", "--gamma-dim"] {
            try Self.expectRefused(["train", "--dataset", "idx:" + data, "--objective", "tcvae", option, "1e7", "--out", data + "/run"],
                                   code: 64, message: "\(option) \(bound)", watching: data)
        }
        try Self.expectRefused(["train", "--dataset", "idx:" + data, "--objective", "dipvae-ii", "--lambda-od", "1e38", "--out", data + "/run"],
                               code: 64, message: "--lambda-od \(bound)", watching: data)
        #expect(try CLITests.run(["train", "--help"]).stdout.contains("0…1,000,000"))
        let result = try CLITests.run(["train", "--dataset", "idx:" + data, "--beta", "1e6", "--epochs", "1", "--latent", "2",
                                       "--hidden", "8", "--threads", "1", "--batch-size", "100", "--out", data + "/run"])
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// `--resume RUN --epochs 1` on a run with 2 epochs is refused at once (it used to train
    /// without end), and config.json keeps its bytes.
    @Test func resumeWithFewerEpochsIsRefused() throws {
        let run = try Self.copyOfRun("resume")
        try Self.expectRefused(["train", "--resume", run, "--epochs", "1"], code: 64,
                               message: "--epochs 1: \(run) has already completed 2 epochs; pass --epochs 3 or more to train on", watching: run)
        try Self.expectRefused(["train", "--resume", run, "--epochs", "2"], code: 64, message: "pass --epochs 3 or more", watching: run)
    }

    /// With --resume only --epochs or --steps, --lr and --keep-checkpoints may be given: others are refused, not
    /// dropped; a new learning rate and retention are applied and recorded in config.json.
    @Test func resumeRefusesFixedSettingsAndRecordsTheLearningRate() throws {
        let run = try Self.copyOfRun("resumeopts")
        try Self.expectRefused(["train", "--resume", run, "--latent", "5"], code: 64,
                               message: "--latent cannot change when resuming (the run's config.json fixes it); with --resume give only --epochs or --steps, --lr and --keep-checkpoints",
                               watching: run)
        try Self.expectRefused(["sweep", "--betas", "1,4", "--beta", "2", "--out", run + "/../sw"], code: 64,
                               message: "--beta: a sweep takes β from --betas; leave --beta out", watching: Self.trainedRun.data)
        let resumed = try CLITests.run(["train", "--resume", run, "--epochs", "3", "--lr", "0.0005", "--keep-checkpoints", "1"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let config = try RunConfig.read(path: run + "/config.json")
        #expect(config.learningRate == 0.0005 && config.epochs == 3 && config.keepCheckpoints == 1)
        #expect(RunDirectory(run).checkpointEpochs() == [3])
    }

    /// Damaged run files: one line naming the file, exit 1, nothing changed (no evaluation.json
    /// computed over a broken run, no report folder).
    @Test func damagedRunFilesAreRefusedByName() throws {
        func damaged(_ name: String, _ file: String, _ change: (String) throws -> Void) throws -> String {
            let run = try Self.copyOfRun(name)
            try change(run + "/" + file)
            return run
        }
        func replace(_ path: String, _ from: String, _ to: String) throws {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.contains(from), "\(path) has no \(from)")
            try text.replacingOccurrences(of: from, with: to).write(toFile: path, atomically: true, encoding: .utf8)
        }
        let latent = try damaged("latent", "config.json") { try replace($0, "\"latent\" : 3", "\"latent\" : -3") }
        let batch = try damaged("batch", "config.json") { try replace($0, "\"batchSize\" : 50", "\"batchSize\" : 0") }
        let hidden = try damaged("hidden", "config.json") { try replace($0, "\"hidden\" : [\n      16\n    ]", "\"hidden\" : [\n      -16\n    ]") }
        let garbage = try damaged("garbage", "config.json") { try "{\"name\": ".write(toFile: $0, atomically: true, encoding: .utf8) }
        let metrics = try damaged("metrics", "metrics.csv") { path in
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let cut = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).dropLast().joined(separator: ",") }
            try (cut.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
        let nanRow = try damaged("nanrow", "metrics.csv") { path in
            var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
            var fields = lines[2].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            fields[4] = "nan"
            lines[2] = fields.joined(separator: ",")
            try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
        let nanWeights = try damaged("nanweights", "checkpoints/latest.safetensors") { path in
            let file = try SafetensorsFile.read(path: path)
            var tensors: [(name: String, tensor: Tensor)] = try file.names.map { (name: $0, tensor: try file.tensor($0)) }
            let first = tensors.firstIndex { $0.name == "encoder.0.weight" }!
            tensors[first].tensor.scalars[0] = .nan
            try SafetensorsWriter.write(tensors, metadata: file.metadata.filter { $0.key != "format" }, to: path)
        }
        let cases: [(String, [String], String)] = [
            (latent, ["evaluate", latent], "\(latent)/config.json: model: latent must be 1…1024, not -3; fix the file or train the run again"),
            (latent, ["train", "--resume", latent], "\(latent)/config.json: model: latent must be 1…1024, not -3"),
            (batch, ["train", "--resume", batch, "--epochs", "4"], "\(batch)/config.json: batchSize must be 1…65536, not 0"),
            (hidden, ["report", hidden, "--out", hidden + "/../site-hidden"], "\(hidden)/config.json: model: hidden sizes must each be 1…16384, not [-16]"),
            (garbage, ["evaluate", garbage], "\(garbage)/config.json: not a betavae config.json"),
            (metrics, ["report", metrics, "--out", metrics + "/../site-metrics"],
             "\(metrics)/metrics.csv: has 2 KL columns but the run's model has 3 latent dimensions"),
            (nanRow, ["report", nanRow, "--out", nanRow + "/../site-nan"], "\(nanRow)/metrics.csv: line 3 holds a number that is not finite"),
            (nanWeights, ["evaluate", nanWeights],
             "\(nanWeights)/checkpoints/latest.safetensors: 'encoder.0.weight' holds values that are not finite"),
        ]
        for (run, arguments, message) in cases {
            try Self.expectRefused(arguments, code: 1, message: message, watching: Self.trainedRun.data)
            _ = run
        }
        for site in ["site-hidden", "site-metrics", "site-nan"] {
            #expect(!FileManager.default.fileExists(atPath: Self.trainedRun.data + "/" + site))
        }
    }

    /// evaluation.json with one entry too few for the model's latent size is refused by name
    /// instead of being plotted from memory past its arrays.
    @Test func evaluationWithTheWrongNumberOfDimensionsIsRefused() throws {
        let run = try Self.copyOfRun("evaluation")
        let evaluate = try CLITests.run(["evaluate", run, "--iwae-samples", "2"])
        #expect(evaluate.status == 0, "\(evaluate.stderr)")
        let path = run + "/evaluation.json"
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        var usage = json["usage"] as! [String: Any]
        usage["klPerDimension"] = Array((usage["klPerDimension"] as! [Double]).dropLast())
        json["usage"] = usage
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
        try Self.expectRefused(["report", run, "--out", run + "/../site-evaluation"], code: 1,
                               message: "\(path): has 2 latent dimensions, the run's model 3; delete it and run 'betavae evaluate' again",
                               watching: Self.trainedRun.data)
    }

    /// `report --out site/my-report` writes into site/my-report only: the reports index is not
    /// written into site/ (it used to overwrite site/index.html and site/style.css).
    @Test func reportWithOutLeavesItsParentAlone() throws {
        let run = try Self.copyOfRun("report")
        let site = Self.trainedRun.data + "/site-" + UUID().uuidString.prefix(6)
        try FileManager.default.createDirectory(atPath: site, withIntermediateDirectories: true)
        try "mine".write(toFile: site + "/index.html", atomically: true, encoding: .utf8)
        let before = Self.tree(site)
        let result = try CLITests.run(["report", run, "--out", site + "/my-report", "--iwae-samples", "2"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == site + "/my-report/index.html\n")
        let after = Self.tree(site)
        Self.expectUnchanged(before, after.filter { !$0.key.hasPrefix("my-report/") }, "report --out")
        #expect(after.keys.contains("my-report/index.html") && !after.keys.contains("style.css"))
    }

    /// A train that fails on its data (labels out of range for a conditional run) leaves an
    /// existing unrelated folder untouched and is refused on a folder that is not a run.
    @Test func trainNeverWritesIntoAFolderThatIsNotARun() throws {
        let data = CLITests.idxFolder(count: 300)
        try FileManager.default.createDirectory(atPath: data + "/mine", withIntermediateDirectories: true)
        try "notes".write(toFile: data + "/mine/metrics.csv", atomically: true, encoding: .utf8)
        try Self.expectRefused(["train", "--dataset", "idx:" + data, "--out", data + "/mine"], code: 64,
                               message: "\(data)/mine is a folder that is not a betavae run; choose another --out", watching: data)
    }
}

/// Malformed dataset files reach the user as one line naming the file, exit 1, and no run folder.
@Suite(.serialized) struct DatasetBoundaryTests {
    func be(_ v: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8((v >> $0) & 0xFF) } }

    @Test func labelOutsideTheClassesIsRefused() throws {
        let data = CLITests.idxFolder(count: 300)
        var labels = [UInt8](repeating: 0, count: 60)
        labels[7] = 200
        try Data(be(0x801) + be(60) + labels).write(to: URL(fileURLWithPath: data + "/t10k-labels-idx1-ubyte"))
        try BoundaryTests.expectRefused(["train", "--dataset", "mnist", "--data-dir", data, "--conditional", "--out", data + "/run"], code: 1,
                                        message: "\(data)/t10k-labels-idx1-ubyte: label 200 of item 7 is outside 0..<10", watching: data)
        #expect(!FileManager.default.fileExists(atPath: data + "/run"))
    }

    @Test func idxHeadersAreCheckedAgainstTheFile() throws {
        for (count, rows, message) in [(0, 28, "count is 0"), (0xFFFF_FFFF, 65535, "more than the limit"), (10, 0, "rows is 0")] {
            let data = CLITests.idxFolder(count: 300)
            try Data(be(0x803) + be(count) + be(rows) + be(28) + [UInt8](repeating: 0, count: 100)).write(
                to: URL(fileURLWithPath: data + "/train-images-idx3-ubyte"))
            try BoundaryTests.expectRefused(["train", "--dataset", "idx:" + data, "--out", data + "/run"], code: 1,
                                            message: message, watching: data)
        }
    }

    @Test func truncatedPNGIsRefusedByName() throws {
        let folder = NSTemporaryDirectory() + "betavae-png-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // A valid 1×1 grey PNG (signature, IHDR, IDAT, IEND), then the same cut short.
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A,
                            0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0, 0x3A, 0x7E, 0x9B, 0x55,
                            0, 0, 0, 10, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x68, 0x00, 0x00, 0x00, 0x82, 0x00, 0x81, 0x77, 0xCD, 0x72, 0xB6,
                            0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]
        for index in 0..<4 { try Data(png).write(to: URL(fileURLWithPath: folder + "/ok\(index).png")) }
        try Data(png.prefix(40)).write(to: URL(fileURLWithPath: folder + "/cut.png"))
        try BoundaryTests.expectRefused(["train", "--dataset", "images:" + folder, "--channels", "1", "--out", folder + "/run"], code: 1,
                                        message: "\(folder)/cut.png: corrupt or truncated PNG", watching: folder)
    }
}
