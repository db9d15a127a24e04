import Foundation
import Testing
import Training

/// `betavae study` as a user runs it: options refused before anything is written, the tiny study of
/// issue 26 end to end (eight runs of Locatello et al.'s protocol, shrunk: 100 images, batches of
/// 4, small evaluations), reuse, `--status`, and a partial study's page.
@Suite(.serialized) struct StudyTests {
    static func folder() -> String {
        let path = NSTemporaryDirectory() + "betavae-study-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The issue's command, shrunk so that it runs in debug builds: 100 training and 50 test images,
    /// batches of 4, IWAE with K = 2 over 20 images, and the quick protocol's sample sizes (dlib's,
    /// the study's default, encode 2.9 million images per run).
    static func tinyStudy(out: String, extra: [String] = ["--jobs", "2"]) -> [String] {
        ["study", "--preset", "locatello2019", "--dataset", "sprites", "--models", "beta,tcvae", "--values", "beta=1,8", "--values", "tcvae=1,6",
         "--seeds", "0,1", "--steps", "200", "--batch-size", "4", "--limit", "100", "--test-limit", "50", "--iwae-samples", "2",
         "--iwae-images", "20", "--protocol", "quick", "--out", out] + extra
    }

    @Test func badOptionsAreRefusedBeforeAnythingIsWritten() throws {
        let root = Self.folder(), out = root + "/study"
        let refused: [([String], String)] = [
            (["--dataset", "sprites", "--models", "beta,vae"], "--models vae: not a method"),
            (["--dataset", "sprites", "--models", "beta", "--values", "tcvae=1"], "--values tcvae: tcvae is not among --models"),
            (["--dataset", "sprites", "--values", "beta=1,1.0"], "--values beta names 1 twice"),
            (["--dataset", "sprites", "--values", "beta=-1"], "--values beta must be finite numbers ≥ 0"),
            (["--models", "beta"], "--dataset is required"),
            (["--plan", root + "/p.json", "--models", "beta"], "--models with --plan"),
            (["--dataset", "sprites", "--steps", "0"], "--steps must be 1…"),
            (["--dataset", "sprites", "--protocol", "fast"], "--protocol"),
            (["--dataset", "sprites", "--preset", "higgins2017"], "--preset must be locatello2019"),
            (["--dataset", "sprites", "--jobs", "2", "--executor", "slurm"], "--jobs applies only to --executor local"),
            (["--dataset", "sprites", "--partition", "debug"], "--partition applies only with --executor slurm"),
            (["--dataset", "no-such-data", "--models", "beta", "--values", "beta=1", "--seeds", "0"], "no-such-data"),
        ]
        for (arguments, message) in refused {
            let result = try CLITests.run(["study"] + arguments + ["--out", out])
            #expect(result.status == 64, "\(arguments): exit \(result.status), \(result.stderr)")
            #expect(result.stderr.contains(message) && result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: out), "a refused study wrote its folder")

        // A plan file that is missing or wrong is named, with exit 1.
        let missing = try CLITests.run(["study", "--plan", root + "/none.json", "--out", out])
        #expect(missing.status == 1 && missing.stderr.contains(root + "/none.json: not found"), "\(missing.stderr)")
        try Data(#"{"methods": {"beta": [1], "vae": [2]}, "datasets": ["sprites"]}"#.utf8).write(to: URL(fileURLWithPath: root + "/p.json"))
        let wrong = try CLITests.run(["study", "--plan", root + "/p.json", "--out", out])
        #expect(wrong.status == 1 && wrong.stderr.contains(root + "/p.json") && wrong.stderr.contains("method 'vae' is not one of"), "\(wrong.stderr)")
        try Data(#"{"seeds": "0,1"}"#.utf8).write(to: URL(fileURLWithPath: root + "/p.json"))
        let typed = try CLITests.run(["study", "--plan", root + "/p.json", "--out", out])
        #expect(typed.status == 1 && typed.stderr.contains("'seeds'"), "\(typed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))

        let status = try CLITests.run(["study", "--status", root + "/nothing"])
        #expect(status.status == 1 && status.stderr.contains("sweep.json: not found"), "\(status.stderr)")
    }

    @Test func trainStepsIsCheckedAndRecorded() throws {
        let root = Self.folder()
        let both = try CLITests.run(["train", "--dataset", "sprites", "--epochs", "2", "--steps", "10", "--out", root + "/a"])
        #expect(both.status == 64 && both.stderr.contains("--epochs and --steps both set the training length"), "\(both.stderr)")
        let zero = try CLITests.run(["train", "--dataset", "sprites", "--steps", "0", "--out", root + "/a"])
        #expect(zero.status == 64 && zero.stderr.contains("--steps must be 1…"), "\(zero.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root + "/a"))
        let data = CLITests.idxFolder(count: 100)
        let trained = try CLITests.run(["train", "--dataset", "idx:" + data, "--latent", "2", "--hidden", "8", "--batch-size", "32", "--steps", "7",
                                        "--out", root + "/run"])
        #expect(trained.status == 0, "\(trained.stderr)")
        let config = try RunConfig.read(path: root + "/run/config.json")
        #expect(config.steps == 7 && config.epochs == 2)   // 4 steps an epoch: the second stops after 3
        #expect(try Checkpoint.step(path: root + "/run/checkpoints/latest.safetensors") == 7)
        let longer = try CLITests.run(["train", "--resume", root + "/run", "--steps", "8"])
        #expect(longer.status == 64 && longer.stderr.contains("part-way through epoch 2"), "\(longer.stderr)")
        let epochs = try CLITests.run(["train", "--resume", root + "/run", "--epochs", "3"])
        #expect(epochs.status == 64 && epochs.stderr.contains("give --steps instead"), "\(epochs.stderr)")
    }

    @Test func tinyStudyEndToEnd() throws {
        let out = Self.folder() + "/tiny"
        let started = Date()
        let result = try CLITests.run(Self.tinyStudy(out: out))
        let seconds = Date().timeIntervalSince(started)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("study: 8 runs (beta ×2, tcvae ×2 × 2 seeds × 1 dataset), 200 steps each"), "\(result.stdout)")
        #expect(result.stdout.contains("here a step takes"), "\(result.stdout)")
        #expect(result.stdout.split(separator: "\n").last.map(String.init) == out + "/index.html")
        let names = ["beta-1", "beta-8", "tcvae-1", "tcvae-6"].flatMap { m in [0, 1].map { "sprites-\(m)-seed\($0)" } }
        for name in names {
            let config = try RunConfig.read(path: "\(out)/\(name)/config.json")
            #expect(config.steps == 200 && config.batchSize == 4 && config.model.latent == 10 && config.learningRate == 1e-4, "\(name)")
            #expect(config.model.architecture.rawValue == "burgess" && config.model.likelihood.rawValue == "bernoulli")
            #expect(try Checkpoint.step(path: "\(out)/\(name)/checkpoints/latest.safetensors") == 200, "\(name)")
            #expect(FileManager.default.fileExists(atPath: "\(out)/\(name)/evaluation.json"), "\(name) was not evaluated")
        }
        #expect(try RunConfig.read(path: out + "/sprites-tcvae-6-seed1/config.json").objective.summary.contains("6"))

        let page = try String(contentsOfFile: out + "/index.html", encoding: .utf8)
        #expect(page.contains("8 of 8 runs in") && !page.contains("a partial study"))
        // The protocol the study was given is recorded, used for every run and named on the page.
        #expect(try StudyPlan.read(folder: out).study.evaluation.evaluationProtocol == .quick)
        #expect(page.contains("quick sample sizes (BetaVAE/FactorVAE: 150 + 75 points of 32"), "the page does not name the protocol")
        for name in names {
            let evaluation = try String(contentsOfFile: "\(out)/\(name)/evaluation.json", encoding: .utf8)
            #expect(evaluation.contains("\"evaluationProtocol\" : \"quick\"") && !evaluation.contains("\"evaluationProtocol\" : \"dlib\""), "\(name)")
        }
        #expect(page.contains("β-TCVAE") && page.contains("Unsupervised model selection") && page.contains("medians.csv"))
        // Two seeds per setting: UDR compares each run with the other seed on the same 50 images and picks one run per method.
        let picks = page.components(separatedBy: "<tr class=\"selection-pick\">").dropFirst().map { $0.components(separatedBy: "</tr>")[0] }
        #expect(picks.count == 2 && !page.contains("selection-nopick"), "UDR's pick per method: \(picks)")
        for (title, values) in [("β-VAE", ["1", "8"]), ("β-TCVAE", ["1", "6"])] {
            let row = picks.first { $0.contains("</span>\(title)</td>") } ?? ""
            let runs: [String] = values.flatMap { (v: String) -> [String] in ["0", "1"].map { (seed: String) -> String in "<td>UDR pick: β \(v), seed \(seed)<br><small>UDR " } }
            #expect(runs.contains { row.contains($0) }, "\(title)'s pick is not one of its runs: \(row)")
        }
        // What UDR compared: every run's means of the same 50 images (seed 0's test split), whatever its own seed.
        let codes = try names.map { try UDRCodes.read(path: "\(out)/\($0)/udr-codes.safetensors") }
        #expect(codes.allSatisfy { $0.means.shape == [50, 10] && $0.step == 200 && $0.inputs == codes[0].inputs })
        #expect(codes[0].inputs.hasPrefix("sprites: test images 0…49 of the seed-0 split (limit 100, test limit 50,"), "\(codes[0].inputs)")
        for figure in ["score-mig", "score-beta-vae", "score-dci-disentanglement", "score-infom", "score-irs", "score-reconstruction", "rank-correlation", "seed-share"] {
            for ext in ["png", "svg", "pdf"] {
                #expect(FileManager.default.fileExists(atPath: "\(out)/figures/\(figure).\(ext)"), "no \(figure).\(ext)")
            }
            #expect(page.contains("figures/\(figure).png"))
        }
        // The page opens offline: no address outside its folder.
        #expect(!page.contains("http://") && !page.contains("https://"))

        // medians.csv: a row per method and score, median between its quartiles; runs.csv: a row per run.
        let medians = try String(contentsOfFile: out + "/medians.csv", encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(medians.first == "dataset,method,score,runs,median,q1,q3")
        let mig = try #require(medians.first { $0.hasPrefix("sprites,beta,mig,4,") }).split(separator: ",").compactMap { Double($0) }
        #expect(mig.count == 4 && mig[2] <= mig[1] && mig[1] <= mig[3], "\(mig)")
        #expect(medians.contains { $0.hasPrefix("sprites,tcvae,reconstruction,4,") })
        let runs = try String(contentsOfFile: out + "/runs.csv", encoding: .utf8).split(separator: "\n")
        #expect(runs.count == 9 && runs[0].hasPrefix("run,dataset,method,value,seed,beta_vae,"), "\(runs.first ?? "")")
        // The metrics after disentanglement_lib are scores of the study too; DCI-ES size (factors / latents) is not.
        #expect(runs[0].contains(",explicitness,dci_es_explicitness,infom,infoc,infoe,mig_sup,irs,") && !runs[0].contains("dci_es_size"), "\(runs[0])")

        let status = try CLITests.run(["study", "--status", out])
        #expect(status.status == 0 && status.stdout.contains("8 of 8 runs in"), "\(status.stdout)")

        // Again: every run is reused, nothing retrained.
        let again = try CLITests.run(Self.tinyStudy(out: out))
        #expect(again.status == 0 && again.stdout.components(separatedBy: "reusing it").count == 9, "\(again.stdout)")
        #expect(again.stdout.contains("8 already trained"))

        // A partial study: one run gone, the page says 7 of 8 and lists it.
        try FileManager.default.removeItem(atPath: out + "/sprites-tcvae-6-seed1")
        let partial = try CLITests.run(["study-finish", out])
        #expect(partial.status == 1 && partial.stderr.contains("1 of 8 runs are not in"), "\(partial.stderr)")
        let partialPage = try String(contentsOfFile: out + "/index.html", encoding: .utf8)
        #expect(partialPage.contains("7 of 8 runs in") && partialPage.contains("a partial study") && partialPage.contains("sprites-tcvae-6-seed1"))
        print("StudyTests: the tiny study took \(String(format: "%.1f", seconds)) s")
    }
}
