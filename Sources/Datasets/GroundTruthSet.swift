import Engine

/// A dataset whose every image has known generative factors and which can show any combination
/// of them (disentanglement_lib's `GroundTruthData`): Shapes3D, MPI3D, SmallNORB, Cars3D and the
/// dSprites variants. Images are numbered by the source; most store exactly one image per factor
/// combination in grid order (index = mixed radix of the classes, last factor fastest).
public protocol GroundTruthSource: Sendable {
    /// Names, class counts and values of the factors.
    var factors: FactorTable { get }
    /// `[C, H, W]` of one image.
    var imageShape: [Int] { get }
    /// Images the source holds.
    var count: Int { get }
    /// The factor whose class is each image's label (the object's shape or category).
    var labelFactor: Int { get }
    /// The factor classes of image `image`.
    func classes(of image: Int) -> [Int]
    /// An image showing `classes`; where several do (SmallNORB's ten instances), `draw` picks one.
    func image(showing classes: [Int], draw: UInt64) -> Int
    /// Writes image `image` as C·H·W floats in [0, 1].
    func write(image: Int, into pixels: UnsafeMutableBufferPointer<Float>)
}

/// Grid order as disentanglement_lib and every publisher of these datasets use it.
public enum FactorGrid {
    /// The position of `classes` in a grid of `sizes`, last factor fastest.
    public static func index(of classes: [Int], sizes: [Int]) -> Int {
        precondition(classes.count == sizes.count && zip(classes, sizes).allSatisfy { $0 >= 0 && $0 < $1 }, "classes \(classes) outside \(sizes)")
        return zip(classes, sizes).reduce(0) { $0 * $1.1 + $1.0 }
    }

    /// The classes at grid position `index`.
    public static func classes(of index: Int, sizes: [Int]) -> [Int] {
        var rest = index
        var result = [Int](repeating: 0, count: sizes.count)
        for f in stride(from: sizes.count - 1, through: 0, by: -1) {
            result[f] = rest % sizes[f]
            rest /= sizes[f]
        }
        precondition(rest == 0, "grid index \(index) outside \(sizes)")
        return result
    }
}

/// Some of a ground-truth source's images (a split, or images drawn for a metric), read or drawn
/// when a batch asks for them: nothing but the positions is held per image.
public struct GroundTruthImageSet: ImageSet, FactorImageGenerator {
    public let source: any GroundTruthSource
    /// The source's image numbers, in this set's order.
    public let positions: [Int]

    public init(source: any GroundTruthSource, positions: [Int]) {
        self.source = source
        self.positions = positions
    }

    public var count: Int { positions.count }
    public var imageShape: [Int] { source.imageShape }
    public var classCount: Int { source.factors.sizes[source.labelFactor] }
    public var factors: FactorTable? { source.factors }
    public func label(_ index: Int) -> Int { source.classes(of: positions[index])[source.labelFactor] }
    public func factorClasses(_ index: Int) -> [Int] { source.classes(of: positions[index]) }
    public func write(_ index: Int, into pixels: UnsafeMutableBufferPointer<Float>) {
        source.write(image: positions[index], into: pixels)
    }

    /// Images of the given classes from the whole source (not only this split), as
    /// disentanglement_lib samples observations from factors. Where several images show the same
    /// classes, the row's position and classes pick one, so the same request gives the same images.
    public func images(classes: [[Int]]) -> any ImageSet {
        GroundTruthImageSet(source: source, positions: classes.enumerated().map { row, c in
            source.image(showing: c, draw: UInt64(row) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(FactorGrid.index(of: c, sizes: source.factors.sizes)))
        })
    }

    /// A seeded split of the whole source: `testCount` images for testing, the rest (or the first
    /// `trainLimit` of them) for training, disjoint.
    public static func split(_ source: any GroundTruthSource, testCount: Int, trainLimit: Int?, seed: UInt64) -> (train: GroundTruthImageSet, test: GroundTruthImageSet) {
        precondition(source.count >= 2 && testCount >= 1 && testCount < source.count)
        var rng = RandomGenerator(seed: seed ^ 0x6E0_7A17)
        let order = rng.permutation(source.count)
        let trainEnd = min(source.count - testCount, trainLimit ?? Int.max)
        return (GroundTruthImageSet(source: source, positions: Array(order[0..<trainEnd])),
                GroundTruthImageSet(source: source, positions: Array(order[(source.count - testCount)...])))
    }
}

/// Converts one stored image to C·H·W floats in [0, 1]: bytes in H·W·C order (as numpy and HDF5
/// store these datasets) are transposed to channel planes, PyTorch's layout.
enum PixelLayout {
    static func planes(fromInterleaved bytes: UnsafeRawBufferPointer, channels: Int, into pixels: UnsafeMutableBufferPointer<Float>) {
        let plane = bytes.count / channels
        precondition(pixels.count >= bytes.count)
        for at in 0..<plane {
            for c in 0..<channels { pixels[c * plane + at] = Float(bytes[at * channels + c]) * (1 / 255) }
        }
    }
}

/// A ground-truth source whose images sit one after another in a file, uint8 in H·W·C order, one
/// per grid position (MPI3D's `images` member, a contiguous Shapes3D `images` dataset).
public struct FileGridSource: GroundTruthSource {
    public let file: PixelFile
    /// Byte offset of image 0.
    public let offset: Int
    public let factors: FactorTable
    public let imageShape: [Int]
    public let labelFactor: Int

    /// The caller has checked that `offset + count · C·H·W ≤ file.size`.
    public init(file: PixelFile, offset: Int, factors: FactorTable, imageShape: [Int], labelFactor: Int) {
        precondition(offset + factors.sizes.reduce(1, *) * imageShape.reduce(1, *) <= file.size)
        self.file = file
        self.offset = offset
        self.factors = factors
        self.imageShape = imageShape
        self.labelFactor = labelFactor
    }

    public var count: Int { factors.sizes.reduce(1, *) }
    public func classes(of image: Int) -> [Int] { FactorGrid.classes(of: image, sizes: factors.sizes) }
    public func image(showing classes: [Int], draw: UInt64) -> Int { FactorGrid.index(of: classes, sizes: factors.sizes) }
    public func write(image: Int, into pixels: UnsafeMutableBufferPointer<Float>) {
        let size = imageShape.reduce(1, *)
        withUnsafeTemporaryAllocation(byteCount: size, alignment: 16) { raw in
            file.read(at: offset + image * size, into: raw)
            PixelLayout.planes(fromInterleaved: UnsafeRawBufferPointer(raw), channels: imageShape[0], into: pixels)
        }
    }
}

/// A ground-truth source held in memory as bytes in C·H·W order, one image per grid position
/// (Cars3D: 17,568 images of 64×64×3 after resizing, 216 MB).
public struct MemoryGridSource: GroundTruthSource {
    public let pixels: [UInt8]
    public let factors: FactorTable
    public let imageShape: [Int]
    public let labelFactor: Int

    public init(pixels: [UInt8], factors: FactorTable, imageShape: [Int], labelFactor: Int) {
        precondition(pixels.count == factors.sizes.reduce(1, *) * imageShape.reduce(1, *))
        self.pixels = pixels
        self.factors = factors
        self.imageShape = imageShape
        self.labelFactor = labelFactor
    }

    public var count: Int { factors.sizes.reduce(1, *) }
    public func classes(of image: Int) -> [Int] { FactorGrid.classes(of: image, sizes: factors.sizes) }
    public func image(showing classes: [Int], draw: UInt64) -> Int { FactorGrid.index(of: classes, sizes: factors.sizes) }
    public func write(image: Int, into pixels: UnsafeMutableBufferPointer<Float>) {
        let size = imageShape.reduce(1, *)
        for i in 0..<size { pixels[i] = Float(self.pixels[image * size + i]) * (1 / 255) }
    }
}
