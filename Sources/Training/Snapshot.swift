import Engine
import Foundation
import Models

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

    /// Loads a snapshot and checks it against the run's model: means `[N, Z]` and finite, one
    /// whole-number label per mean, validation images `[B, C, H, W]` of the model's image shape,
    /// one test-set position per image.
    public static func load(path: String, spec: ModelSpec) throws(TrainingError) -> Snapshot {
        do {
            let file = try SafetensorsFile.read(path: path)
            let means = try file.tensor("test.means")
            let labelValues = try file.tensor("test.labels").scalars
            let images = try file.tensor("validation.images")
            let reconstructions = try file.tensor("validation.reconstructions", shape: images.shape)
            let indexValues = try file.tensor("validation.indices").scalars
            func wholeNumbers(_ values: [Float]) -> [Int]? {
                values.allSatisfy({ $0 >= 0 && $0 <= 1e9 && $0 == $0.rounded() }) ? values.map { Int($0) } : nil
            }
            guard means.shape.count == 2, means.columns == spec.latent, means.scalars.allSatisfy(\.isFinite),
                  let labels = wholeNumbers(labelValues), labels.count == means.rows,
                  images.shape.count == 4, Array(images.shape.dropFirst()) == spec.imageShape,
                  let indices = wholeNumbers(indexValues), indices.count == images.shape[0],
                  (images.scalars + reconstructions.scalars).allSatisfy(\.isFinite),
                  let epoch = file.metadata["epoch"].flatMap(Int.init), epoch >= 0 else {
                throw TrainingError.corruptRun(path: path, reason: "snapshot does not fit the run's model (latent \(spec.latent), "
                                               + "images \(spec.imageShape)) or holds invalid values; delete it and train again")
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
