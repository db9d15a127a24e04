/// A training split whose labels were read but whose images were not (`DatasetOptions
/// .readsTrainingImages` false): its count, shape and classes are there for the checks a run's
/// config makes; its pixels are never asked for. Why: `report` of a run with a saved evaluation
/// uses the test images alone, and decompressing Fashion-MNIST's 47 MB of training images was
/// about an eighth of its time.
public struct UnreadImages: ImageSet {
    public let imageShape: [Int]
    public var classCount: Int
    let labels: [UInt8]

    /// Reads the labels at `labelsPath` (an IDX file, raw or .gz), each below `classCount` when
    /// given (otherwise the class count is the largest label plus one).
    init(labelsPath: String, imageShape: [Int], classCount: Int?) throws(DatasetError) {
        (labels, self.classCount) = try DatasetCatalog.checkedLabels(labelsPath, classCount: classCount)
        self.imageShape = imageShape
    }

    public var count: Int { labels.count }
    public func label(_ index: Int) -> Int { Int(labels[index]) }

    public func write(_ index: Int, into pixels: UnsafeMutableBufferPointer<Float>) {
        preconditionFailure("the training images were not read (DatasetOptions.readsTrainingImages is false)")
    }
}
