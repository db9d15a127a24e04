import Foundation
import Testing

/// evaluate, report and sweep through the binary, as a user runs them.
@Suite(.serialized) struct PipelineTests {
    @Test func evaluateWritesJSONAndExportsLatents() throws {
        let data = CLITests.idxFolder(count: 300)
        let run = data + "/run"
        #expect(try CLITests.run(["train", "--dataset", "idx:" + data, "--epochs", "1", "--latent", "3", "--hidden", "16", "--out", run]).status == 0)
        let result = try CLITests.run(["evaluate", run, "--json", "--iwae-samples", "8", "--export-latents", data + "/latents.npz"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let test = json?["test"] as? [String: Any]
        #expect((test?["samples"] as? Int) == 8)
        #expect((test?["images"] as? Int) == 60)
        let nelbo = test?["nelbo"] as? Double ?? .nan, iwae = test?["iwaeNLL"] as? Double ?? .nan
        #expect(nelbo.isFinite && iwae.isFinite && iwae < nelbo)
        #expect(((json?["usage"] as? [String: Any])?["klPerDimension"] as? [Double])?.count == 3)
        #expect(FileManager.default.contents(atPath: run + "/evaluation.json") == Data(result.stdout.utf8))
        // The .npz opens as a zip with the three members.
        let npz = try Data(contentsOf: URL(fileURLWithPath: data + "/latents.npz"))
        let text = String(decoding: npz, as: UTF8.self)
        #expect(text.contains("means.npy") && text.contains("log_variances.npy") && text.contains("labels.npy"))
        let missing = try CLITests.run(["evaluate", data + "/no-such-run"])
        #expect(missing.status == 1 && missing.stderr.contains("no such run"))
    }

    @Test func sweepTrainsReportsAndComparesThenPrintsThePage() throws {
        let data = CLITests.idxFolder(count: 300)
        let result = try CLITests.run(["sweep", "--betas", "0.5,4", "--dataset", "idx:" + data, "--epochs", "1", "--latent", "2", "--hidden", "16",
                                       "--iwae-samples", "4", "--out", data + "/runs/sw", "--reports", data + "/reports"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.last.map(String.init) == data + "/reports/sw/index.html")
        for path in ["runs/sw/sw-beta0.5/metrics.csv", "runs/sw/sw-beta4/metrics.csv", "reports/sw-beta0.5/index.html",
                     "reports/sw-beta4/index.html", "reports/sw/index.html", "reports/index.html"] {
            #expect(FileManager.default.fileExists(atPath: data + "/" + path), "\(path) missing")
        }
        // Again: finished runs are reused, not retrained.
        let again = try CLITests.run(["sweep", "--betas", "0.5,4", "--dataset", "idx:" + data, "--epochs", "1", "--latent", "2", "--hidden", "16",
                                      "--iwae-samples", "4", "--out", data + "/runs/sw", "--reports", data + "/reports"])
        #expect(again.status == 0)
        #expect(again.stdout.contains("is already trained (1 epochs); reusing it"))
        let bad = try CLITests.run(["sweep", "--betas", "1,-2"])
        #expect(bad.status == 64 && bad.stderr.contains("--betas must be finite β ≥ 0 separated by commas; '-2' is not"))
    }
}
