import Foundation
import Testing
import Training

/// evaluation.json is the posterior pass of metrics.csv's test row, and is reused only with the
/// settings that made it.
@Suite(.serialized) struct EvaluationArtefactTests {
    static func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
    }

    /// With --binarize fixed, `evaluate` measures the same images with the same ε as training's
    /// last test row: KL and reconstruction agree to the 6 decimals metrics.csv keeps.
    @Test func evaluationAgreesWithTheLastTestRow() throws {
        let data = CLITests.idxFolder(count: 300)
        let run = data + "/run"
        let train = try CLITests.run(["train", "--dataset", "idx:" + data, "--binarize", "fixed", "--epochs", "2", "--latent", "3",
                                      "--hidden", "16", "--batch-size", "50", "--threads", "1", "--out", run])
        #expect(train.status == 0, "\(train.stderr)")
        let evaluate = try CLITests.run(["evaluate", run, "--iwae-samples", "3"])
        #expect(evaluate.status == 0, "\(evaluate.stderr)")
        let last = try #require(try MetricsLog.read(path: run + "/metrics.csv").rows(split: "test").last)
        let test = try #require(try Self.json(run + "/evaluation.json")["test"] as? [String: Any])
        let kl = try #require(test["kl"] as? Double), recon = try #require(test["recon"] as? Double)
        #expect(last.epoch == 2)
        #expect(abs(kl - last.kl) <= 1e-6, "KL \(kl) vs metrics.csv \(last.kl)")
        #expect(abs(recon - last.recon) <= 1e-6, "recon \(recon) vs metrics.csv \(last.recon)")
        let usage = try #require(try Self.json(run + "/evaluation.json")["usage"] as? [String: Any])
        let perDimension = try #require(usage["klPerDimension"] as? [Double])
        for (a, b) in zip(perDimension, last.klPerDimension) { #expect(abs(a - b) <= 1e-6) }
    }

    /// `evaluate --test-limit 100` then `report`: the report does not reuse the 100-image evaluation;
    /// it says why it computes a new one, and its numbers cover the whole test split.
    @Test func reportNeverReusesAnEvaluationMadeWithOtherSettings() throws {
        let data = CLITests.idxFolder(count: 1000)   // 200 test images
        let run = data + "/run"
        #expect(try CLITests.run(["train", "--dataset", "idx:" + data, "--epochs", "1", "--latent", "2", "--hidden", "8",
                                  "--batch-size", "100", "--threads", "1", "--out", run]).status == 0)
        #expect(try CLITests.run(["evaluate", run, "--test-limit", "100", "--iwae-samples", "4"]).status == 0)
        let partial = try #require(try Self.json(run + "/evaluation.json")["key"] as? [String: Any])
        #expect(partial["testImages"] as? Int == 100)
        let report = try CLITests.run(["report", run, "--out", data + "/site", "--iwae-samples", "4"])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stderr.contains("computing its evaluation (evaluation.json was made with 100 test images, not 200)"), "\(report.stderr)")
        // The same line says how long it will take, before it starts; progress follows in lines (stderr is not a terminal).
        #expect(report.stderr.contains("IWAE with K = 4 over 200 test images, 1400 encodes and 1000 decodes, about "), "\(report.stderr)")
        #expect(report.stderr.contains("by a timed first batch; run 'betavae evaluate"), "\(report.stderr)")
        #expect(report.stderr.contains("IWAE: 200 of 200 test images, "), "\(report.stderr)")
        let whole = try #require(try Self.json(run + "/evaluation.json")["key"] as? [String: Any])
        #expect(whole["testImages"] as? Int == 200)
        let html = try String(contentsOfFile: data + "/site/index.html", encoding: .utf8)
        #expect(html.contains("K = 4 importance samples over 200 test images"))
        // A second report reuses it without a word.
        let again = try CLITests.run(["report", run, "--out", data + "/site", "--iwae-samples", "4"])
        #expect(again.status == 0 && !again.stderr.contains("computing"))
        // Another K is another evaluation.
        let otherK = try CLITests.run(["report", run, "--out", data + "/site", "--iwae-samples", "5"])
        #expect(otherK.stderr.contains("K = 4, not 5"), "\(otherK.stderr)")
        // The bound over the first 50 images only: the one-sample terms still cover all 200.
        let subset = try CLITests.run(["evaluate", run, "--iwae-samples", "5", "--iwae-images", "50"])
        #expect(subset.status == 0 && subset.stdout.contains("(standard error; 50 test images;"), "\(subset.stdout)")
        #expect(subset.stderr.contains("IWAE: 50 of 50 test images, "), "\(subset.stderr)")
        let key = try #require(try Self.json(run + "/evaluation.json")["key"] as? [String: Any])
        #expect(key["iwaeImages"] as? Int == 50 && key["testImages"] as? Int == 200)
        let reread = try CLITests.run(["report", run, "--out", data + "/site", "--iwae-samples", "5"])
        #expect(reread.stderr.contains("IWAE over 50 images, not 200"), "\(reread.stderr)")
    }
}
