import Foundation
import Testing

/// The benchmark datasets at the command line: a missing or bad file, or a misplaced option, ends
/// in one line and exit 1 (files) or 64 (options), with nothing written; a variant trains.
@Suite(.serialized) struct BenchmarkDatasetCLITests {
    static func folder() -> String {
        let path = NSTemporaryDirectory() + "betavae-bench-cli-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func missingAndBadFilesAreRefusedWithOneLine() throws {
        let data = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let train = ["train", "--model", "burgess", "--epochs", "1", "--out", data + "/run"]
        try BoundaryTests.expectRefused(train + ["--dataset", "mpi3d-real", "--data-dir", data], code: 1,
                                        message: data + "/mpi3d_real.npz: not found. Download it from https://github.com/rr-learning/disentanglement_dataset",
                                        watching: data)
        FileManager.default.createFile(atPath: data + "/3dshapes.h5", contents: Data("\u{89}HDF\r\n\u{1a}\n but cut short".utf8))
        try BoundaryTests.expectRefused(train + ["--dataset", "shapes3d", "--data-dir", data], code: 1,
                                        message: data + "/3dshapes.h5: ", watching: data)
        for chunk in ["5x46789x9x18x6x2x96x96-training", "5x01235x9x18x6x2x96x96-testing"] {
            for part in ["dat", "cat", "info"] {
                // A little-endian 0x1E3D4C56 is no NYU type.
                FileManager.default.createFile(atPath: data + "/smallnorb-\(chunk)-\(part).mat", contents: Data([0x56, 0x4C, 0x3D, 0x1E] + [UInt8](repeating: 1, count: 60)))
            }
        }
        try BoundaryTests.expectRefused(train + ["--dataset", "smallnorb", "--data-dir", data], code: 1,
                                        message: "smallnorb-5x46789x9x18x6x2x96x96-training-dat.mat: wrong magic number 0x1E3D4C56, expected 0x1E3D4C55",
                                        watching: data)
    }

    @Test func misplacedOptionsAreRefusedWithCode64() throws {
        let data = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        try BoundaryTests.expectRefused(["train", "--dataset", "color-dsprites", "--background", data + "/x.png", "--out", data + "/run"], code: 64,
                                        message: "--background applies only to --dataset scream-dsprites", watching: data)
        try BoundaryTests.expectRefused(["train", "--dataset", "scream-dsprites", "--model", "burgess", "--out", data + "/run"], code: 64,
                                        message: "scream-dsprites needs --background PICTURE.png", watching: data)
        try BoundaryTests.expectRefused(["train", "--dataset", "sprites", "--data-dir", data, "--out", data + "/run"], code: 64,
                                        message: "--data-dir applies only to mnist and the benchmark datasets", watching: data)
    }

    /// A dSprites variant trains end to end and its config keeps the dataset.
    @Test func colorDSpritesTrainsAndRecordsItsDataset() throws {
        let data = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let result = try CLITests.run(["train", "--dataset", "color-dsprites", "--model", "burgess", "--latent", "4", "--limit", "64",
                                       "--test-limit", "16", "--batch-size", "32", "--epochs", "1", "--threads", "1", "--out", data + "/run"])
        #expect(result.status == 0, "\(result.stderr)")
        let config = try String(contentsOfFile: data + "/run/config.json", encoding: .utf8)
        #expect(config.contains("\"dataset\" : \"color-dsprites\"") && config.contains("\"trainCount\" : 64") && config.contains("\"likelihood\" : \"gaussian\""))
        let metrics = try String(contentsOfFile: data + "/run/metrics.csv", encoding: .utf8)
        #expect(metrics.split(separator: "\n").count == 5)
    }
}
