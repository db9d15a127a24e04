import Engine
import Foundation

/// What the reports need from one epoch without rerunning the model: the test set's posterior
/// means with labels (for PCA over time) and the reconstructions of a fixed validation batch.
///
/// Stored as safetensors: `test.means` [N, Z], `test.labels` [N], `validation.images` [16, C, H, W],
/// `validation.reconstructions` [16, C, H, W], `validation.indices` [16] (test-set positions).
public struct Snapshot: Sendable {
    public var epoch: Int
    public var means: Tensor
    public var labels: [Int]
    public var validationImages: Tensor
    public var reconstructions: Tensor
    public var validationIndices: [Int]

    public init(epoch: Int, means: Tensor, labels: [Int], validationImages: Tensor, reconstructions: Tensor, validationIndices: [Int]) {
        self.epoch = epoch
        self.means = means
        self.labels = labels
        self.validationImages = validationImages
        self.reconstructions = reconstructions
        self.validationIndices = validationIndices
    }

    public func save(to path: String) throws(FileError) {
        try SafetensorsWriter.write([
            ("test.means", means),
            ("test.labels", Tensor(shape: [labels.count], scalars: labels.map(Float.init))),
            ("validation.images", validationImages),
            ("validation.reconstructions", reconstructions),
            ("validation.indices", Tensor(shape: [validationIndices.count], scalars: validationIndices.map(Float.init))),
        ], metadata: ["epoch": String(epoch)], to: path)
    }

    public static func load(path: String) throws(TrainingError) -> Snapshot {
        do {
            let file = try SafetensorsFile.read(path: path)
            let means = try file.tensor("test.means")
            let labels = try file.tensor("test.labels").scalars.map { Int($0) }
            let images = try file.tensor("validation.images")
            let reconstructions = try file.tensor("validation.reconstructions", shape: images.shape)
            let indices = try file.tensor("validation.indices").scalars.map { Int($0) }
            guard labels.count == means.rows, let epoch = file.metadata["epoch"].flatMap(Int.init) else {
                throw TrainingError.corruptRun(path: path, reason: "snapshot labels and means disagree, or no epoch")
            }
            return Snapshot(epoch: epoch, means: means, labels: labels, validationImages: images,
                            reconstructions: reconstructions, validationIndices: indices)
        } catch let error as TrainingError {
            throw error
        } catch {
            throw .corruptRun(path: path, reason: "snapshot unreadable: \(error)")
        }
    }
}
