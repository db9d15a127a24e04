import Foundation
import Testing

/// `report` with a saved evaluation reads the test images alone (`UnreadImages`): a damaged
/// training-images file does not stop it; without the evaluation, which needs the training images
/// for its 5-NN accuracy, the damage is named and nothing is written.
@Suite(.serialized) struct ReportReadsTestImagesTests {
    @Test func savedEvaluationSparesTheTrainingImages() throws {
        let data = CLITests.idxFolder(count: 200)
        let run = data + "/run", site = data + "/site", bare = data + "/bare"
        let train = try CLITests.run(["train", "--dataset", "idx:" + data, "--epochs", "1", "--latent", "2", "--hidden", "8",
                                      "--batch-size", "50", "--threads", "1", "--out", run])
        #expect(train.status == 0, "\(train.stderr)")
        let evaluate = try CLITests.run(["evaluate", run, "--iwae-samples", "2"])
        #expect(evaluate.status == 0, "\(evaluate.stderr)")
        // The training images' header now claims more images than the file holds.
        let images = data + "/train-images-idx3-ubyte"
        var bytes = try #require(FileManager.default.contents(atPath: images))
        bytes[6] = 0xFF
        try bytes.write(to: URL(fileURLWithPath: images))

        let report = try CLITests.run(["report", run, "--out", site, "--iwae-samples", "2"])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(FileManager.default.fileExists(atPath: site + "/index.html"))

        try FileManager.default.removeItem(atPath: run + "/evaluation.json")
        let again = try CLITests.run(["report", run, "--out", bare, "--iwae-samples", "2"])
        #expect(again.status == 1)
        #expect(again.stderr.contains("train-images-idx3-ubyte"), "\(again.stderr)")
        #expect(!FileManager.default.fileExists(atPath: bare))
    }
}
