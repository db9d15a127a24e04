import Engine

/// The known generative factors of a dataset such as dSprites: their names, how many values each
/// takes, and for every image its class (index) and value per factor.
public struct FactorTable: Sendable {
    /// Factor names in dataset order, e.g. `["color", "shape", "scale", "orientation", "posX", "posY"]`.
    public let names: [String]
    /// Number of distinct values per factor.
    public let sizes: [Int]
    /// The value of each class of each factor (`values[f][class]`).
    public let values: [[Float]]

    public init(names: [String], sizes: [Int], values: [[Float]]) {
        precondition(names.count == sizes.count && sizes.count == values.count)
        self.names = names
        self.sizes = sizes
        self.values = values
    }
}

/// A set of images with optional labels and factors. Pixels are produced as Float32 in [0, 1]
/// only when a batch asks for them, so storage can stay compact (u8, or drawn on demand).
public protocol ImageSet: Sendable {
    /// Number of images.
    var count: Int { get }
    /// `[channels, height, width]` of one image.
    var imageShape: [Int] { get }
    /// Number of label classes (0 when there are no labels).
    var classCount: Int { get }
    /// The factor description, for datasets with known generative factors.
    var factors: FactorTable? { get }
    /// The class label of image `index` (0 when there are no labels).
    func label(_ index: Int) -> Int
    /// The factor classes of image `index` (one per factor), when there are factors.
    func factorClasses(_ index: Int) -> [Int]
    /// Writes image `index` as C·H·W floats in [0, 1].
    func write(_ index: Int, into pixels: UnsafeMutableBufferPointer<Float>)
}

extension ImageSet {
    public var factors: FactorTable? { nil }
    public func factorClasses(_ index: Int) -> [Int] { [] }

    /// Elements per image: C·H·W.
    public var imageSize: Int { imageShape.reduce(1, *) }

    /// The images at `indices` as a tensor `[B, C, H, W]`.
    public func batch(_ indices: [Int]) -> Tensor {
        var tensor = Tensor(shape: [indices.count] + imageShape)
        let size = imageSize
        tensor.scalars.withUnsafeMutableBufferPointer { buffer in
            for (row, index) in indices.enumerated() {
                write(index, into: UnsafeMutableBufferPointer(rebasing: buffer[(row * size)..<((row + 1) * size)]))
            }
        }
        return tensor
    }

    /// The labels of `indices`.
    public func labels(_ indices: [Int]) -> [Int] { indices.map(label) }
}

/// Images held as unsigned bytes (IDX, PNG folders, dSprites): 60,000 MNIST images take 47 MB
/// instead of 188 MB as Float32. A byte b becomes the float b·scale.
public struct ByteImageSet: ImageSet {
    public let imageShape: [Int]
    public let classCount: Int
    public let factors: FactorTable?
    /// Pixels, image after image, C·H·W bytes each.
    public let pixels: [UInt8]
    /// Class label per image (empty when unlabelled).
    public let labelValues: [UInt8]
    /// Factor classes, `factors.names.count` per image (empty without factors).
    public let factorValues: [Int32]
    /// Multiplier from byte to [0, 1]: 1/255 for grey levels, 1 for 0/1 masks.
    public let scale: Float

    public init(imageShape: [Int], pixels: [UInt8], labels: [UInt8] = [], classCount: Int = 0,
                scale: Float = 1 / 255, factors: FactorTable? = nil, factorValues: [Int32] = []) {
        self.imageShape = imageShape
        self.pixels = pixels
        self.labelValues = labels
        self.classCount = classCount
        self.scale = scale
        self.factors = factors
        self.factorValues = factorValues
        // Programmer errors: loaders validate shapes, labels and factors from files before this.
        precondition(imageShape.count == 3 && imageShape.allSatisfy { $0 > 0 }, "image shape \(imageShape)")
        precondition(pixels.count % imageShape.reduce(1, *) == 0, "pixel count is not a whole number of images")
        precondition(labels.isEmpty || labels.count == pixels.count / imageShape.reduce(1, *), "one label per image")
        precondition(labels.allSatisfy { Int($0) < classCount }, "label outside 0..<\(classCount)")
        precondition(factors == nil || factorValues.count == (pixels.count / imageShape.reduce(1, *)) * factors!.names.count,
                     "factor classes per image")
    }

    public var count: Int { pixels.count / imageSize }

    public func label(_ index: Int) -> Int { labelValues.isEmpty ? 0 : Int(labelValues[index]) }

    public func factorClasses(_ index: Int) -> [Int] {
        guard let factors else { return [] }
        let width = factors.names.count
        return factorValues[(index * width)..<((index + 1) * width)].map { Int($0) }
    }

    public func write(_ index: Int, into output: UnsafeMutableBufferPointer<Float>) {
        let size = imageSize
        let scale = self.scale
        // Checked once per image, then a pointer loop: with `base + i` as the index, the overflow
        // check on every pixel kept the conversion scalar (2× slower, measured in the MLP bench).
        precondition(index >= 0 && index < count && output.count >= size, "image \(index) of \(count)")
        pixels.withUnsafeBufferPointer { source in
            let image = source.baseAddress! + index * size
            let destination = output.baseAddress!
            for i in 0..<size { destination[i] = Float(image[i]) * scale }
        }
    }

    /// The same images with `classCount` classes (to give a train and a test split one count).
    public func withClassCount(_ classCount: Int) -> ByteImageSet {
        ByteImageSet(imageShape: imageShape, pixels: pixels, labels: labelValues, classCount: classCount,
                     scale: scale, factors: factors, factorValues: factorValues)
    }

    /// The images at `positions` as a new set (for seeded splits and `--limit`).
    public func subset(_ positions: [Int]) -> ByteImageSet {
        let size = imageSize
        var newPixels = [UInt8]()
        newPixels.reserveCapacity(positions.count * size)
        for p in positions { newPixels.append(contentsOf: pixels[(p * size)..<((p + 1) * size)]) }
        let width = factors?.names.count ?? 0
        var newFactors = [Int32]()
        if width > 0 { for p in positions { newFactors.append(contentsOf: factorValues[(p * width)..<((p + 1) * width)]) } }
        return ByteImageSet(imageShape: imageShape, pixels: newPixels,
                            labels: labelValues.isEmpty ? [] : positions.map { labelValues[$0] },
                            classCount: classCount, scale: scale, factors: factors, factorValues: newFactors)
    }
}

/// A subset of another image set, by position (used for `--limit` on sets drawn on demand).
public struct ImageSubset: ImageSet {
    public let base: any ImageSet
    public let positions: [Int]

    public init(_ base: any ImageSet, positions: [Int]) {
        self.base = base
        self.positions = positions
    }

    public var count: Int { positions.count }
    public var imageShape: [Int] { base.imageShape }
    public var classCount: Int { base.classCount }
    public var factors: FactorTable? { base.factors }
    public func label(_ index: Int) -> Int { base.label(positions[index]) }
    public func factorClasses(_ index: Int) -> [Int] { base.factorClasses(positions[index]) }
    public func write(_ index: Int, into pixels: UnsafeMutableBufferPointer<Float>) {
        base.write(positions[index], into: pixels)
    }
}
