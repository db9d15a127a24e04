/// SmallNORB (LeCun et al. 2004): toys of 5 categories × 10 instances photographed at 9
/// elevations, 18 azimuths and 6 lightings by a stereo camera pair, in NYU's binary-matrix files:
/// `smallnorb-5x46789x9x18x6x2x96x96-training-{dat,cat,info}.mat` and the `5x01235` testing ones.
/// As disentanglement_lib uses it: both files together (48,600 images), camera 0 only, resized to
/// 64×64, factors category, elevation, azimuth (stored as 0, 2, …, 34, halved) and lighting; the
/// instance is not a factor, so a drawn combination shows one of the instances that have it.
/// Pixels stay in the `dat` files: each image is read and resized when a batch asks for it.
public enum SmallNORB {
    public static let names = ["category", "elevation", "azimuth", "lighting"]
    public static let sizes = [5, 9, 18, 6]
    public static let categoryNames = ["animal", "human", "airplane", "truck", "car"]
    public static let instances = 10
    public static let side = 96
    public static let chunks = ["5x46789x9x18x6x2x96x96-training", "5x01235x9x18x6x2x96x96-testing"]
    public static let hint = "Download the six files from https://cs.nyu.edu/~ylclab/data/norb-v1.0-small/ and gunzip them into --data-dir."

    /// NYU's magic numbers: the element type of a binary matrix.
    public static let byteMagic: Int32 = 0x1E3D_4C55
    public static let intMagic: Int32 = 0x1E3D_4C54

    /// File name of one part (`dat`, `cat`, `info`) of a chunk.
    public static func fileName(_ chunk: String, _ part: String) -> String { "smallnorb-\(chunk)-\(part).mat" }

    /// An NYU binary-matrix header: magic, rank, max(3, rank) dimensions, all little-endian int32.
    public struct MatrixHeader: Sendable {
        public let magic: Int32
        public let dimensions: [Int]
        public let size: Int
    }

    /// Parses and checks the header of `bytes` (at least the header's bytes): the magic must be
    /// `magic`, the rank 1…4 and every dimension 1…2^24.
    public static func header(_ bytes: [UInt8], path: String, magic: Int32) throws(DatasetError) -> MatrixHeader {
        func int(_ at: Int) -> Int32 { Int32(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << (8 * UInt32($1)) }) }
        guard bytes.count >= 8 else { throw .truncated(path: path, expectedBytes: 8, actualBytes: bytes.count) }
        guard int(0) == magic else {
            throw .badMagic(path: path, found: String(format: "0x%08X", UInt32(bitPattern: int(0))), expected: String(format: "0x%08X", UInt32(bitPattern: magic)))
        }
        let rank = Int(int(4))
        guard (1...4).contains(rank) else { throw .invalidHeader(path: path, reason: "rank \(rank); NYU matrices here have rank 1…4") }
        let size = 8 + 4 * max(3, rank)
        guard bytes.count >= size else { throw .truncated(path: path, expectedBytes: size, actualBytes: bytes.count) }
        let dimensions = (0..<rank).map { Int(int(8 + 4 * $0)) }
        guard dimensions.allSatisfy({ (1...(1 << 24)).contains($0) }) else {
            throw .invalidHeader(path: path, reason: "dimensions \(dimensions); each must be 1…16,777,216")
        }
        return MatrixHeader(magic: magic, dimensions: dimensions, size: size)
    }

    /// An int32 matrix file read whole (`cat`, `info`: a few hundred kB), its shape `expected`.
    static func intMatrix(path: String, expected: [Int]) throws(DatasetError) -> [Int32] {
        try ints(try readFile(path, hint: hint), path: path, expected: expected)
    }

    /// The int32 matrix in `bytes` (a whole file), after checking its magic and that its shape is
    /// `expected` and its data all there.
    public static func ints(_ bytes: [UInt8], path: String, expected: [Int]) throws(DatasetError) -> [Int32] {
        let h = try header(bytes, path: path, magic: intMagic)
        guard h.dimensions == expected else {
            throw .invalidHeader(path: path, reason: "shape \(h.dimensions), expected \(expected) to match the images")
        }
        // Four dimensions of up to 2^24 overflow Int: multiplied with checks, capped like every declared size.
        var count = 1
        for d in expected {
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, product <= DatasetLimits.maximumBytes / 4 else {
                throw .tooLarge(path: path, declared: "an int32 matrix of shape \(expected)", limit: DatasetLimits.maximumBytes)
            }
            count = product
        }
        guard bytes.count - h.size >= 4 * count else { throw .truncated(path: path, expectedBytes: h.size + 4 * count, actualBytes: bytes.count) }
        return (0..<count).map { i in
            Int32(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[h.size + 4 * i + $1]) << (8 * UInt32($1)) })
        }
    }

    /// Both chunks in `folder`, every header, count and factor value checked.
    public static func source(folder: String) throws(DatasetError) -> NORBSource {
        var files: [(PixelFile, Int, Int)] = []   // dat file, header size, images
        var classes: [Int32] = []
        for chunk in chunks {
            let datPath = folder + "/" + fileName(chunk, "dat")
            let dat = try PixelFile(path: datPath, hint: hint)
            let h = try header(try dat.bytes(at: 0, count: min(dat.size, 24)), path: datPath, magic: byteMagic)
            guard h.dimensions.count == 4, h.dimensions[1] == 2, h.dimensions[2] == side, h.dimensions[3] == side else {
                throw .invalidHeader(path: datPath, reason: "shape \(h.dimensions); SmallNORB's is [N, 2, 96, 96]")
            }
            let count = h.dimensions[0]
            guard dat.size - h.size >= count * 2 * side * side else {
                throw .truncated(path: datPath, expectedBytes: h.size + count * 2 * side * side, actualBytes: dat.size)
            }
            let catPath = folder + "/" + fileName(chunk, "cat"), infoPath = folder + "/" + fileName(chunk, "info")
            let category = try intMatrix(path: catPath, expected: [count])
            let info = try intMatrix(path: infoPath, expected: [count, 4])
            for i in 0..<count {
                let (c, instance, elevation, azimuth, lighting) = (category[i], info[4 * i], info[4 * i + 1], info[4 * i + 2], info[4 * i + 3])
                guard (0..<5).contains(c) else { throw .invalidValue(path: catPath, reason: "category \(c) of image \(i) is outside 0…4") }
                guard (0..<Int32(instances)).contains(instance), (0..<9).contains(elevation), (0...34).contains(azimuth), azimuth % 2 == 0,
                      (0..<6).contains(lighting) else {
                    throw .invalidValue(path: infoPath, reason: "row \(i) is (instance \(instance), elevation \(elevation), azimuth \(azimuth), "
                                        + "lighting \(lighting)); expected 0…9, 0…8, even 0…34, 0…5")
                }
                classes += [c, elevation, azimuth / 2, lighting]
            }
            files.append((dat, h.size, count))
        }
        return NORBSource(files: files.map { ($0.0, $0.1) }, counts: files.map { $0.2 }, index: FactorIndex(sizes: sizes, imageClasses: classes))
    }

    /// The factor values: category and lighting as class numbers, elevation in degrees (30…70 in
    /// steps of 5) and azimuth in degrees (0…340 in steps of 20), as the dataset's documentation gives them.
    public static let table = FactorTable(names: names, sizes: sizes, values: [
        (0..<5).map(Float.init), (0..<9).map { 30 + 5 * Float($0) }, (0..<18).map { 20 * Float($0) }, (0..<6).map(Float.init),
    ])
}

/// Which images show each factor combination, for datasets with more than one image per
/// combination or gaps (SmallNORB's instances; a partial file).
public struct FactorIndex: Sendable {
    public let sizes: [Int]
    /// Factor classes, `sizes.count` per image.
    let imageClasses: [Int32]
    /// For each grid position, the images that show it.
    let imagesAt: [[Int32]]

    public init(sizes: [Int], imageClasses: [Int32]) {
        self.sizes = sizes
        self.imageClasses = imageClasses
        var at = [[Int32]](repeating: [], count: sizes.reduce(1, *))
        let width = sizes.count
        for image in 0..<(imageClasses.count / width) {
            at[FactorGrid.index(of: (0..<width).map { Int(imageClasses[image * width + $0]) }, sizes: sizes)].append(Int32(image))
        }
        imagesAt = at
    }

    /// Whether every combination has an image, so any combination can be drawn.
    public var coversGrid: Bool { imagesAt.allSatisfy { !$0.isEmpty } }

    public func classes(of image: Int) -> [Int] { (0..<sizes.count).map { Int(imageClasses[image * sizes.count + $0]) } }

    public func image(showing classes: [Int], draw: UInt64) -> Int {
        let choices = imagesAt[FactorGrid.index(of: classes, sizes: sizes)]
        precondition(!choices.isEmpty, "no image shows \(classes)")
        return Int(choices[Int(draw % UInt64(choices.count))])
    }
}

/// SmallNORB's images, read from the `dat` files (camera 0) and resized to 64×64 one by one.
public struct NORBSource: GroundTruthSource {
    /// Each chunk's `dat` file and header size.
    let files: [(file: PixelFile, headerSize: Int)]
    let counts: [Int]
    public let index: FactorIndex

    public var factors: FactorTable { SmallNORB.table }
    public var imageShape: [Int] { [1, 64, 64] }
    public var count: Int { counts.reduce(0, +) }
    public var labelFactor: Int { 0 }
    public func classes(of image: Int) -> [Int] { index.classes(of: image) }
    public func image(showing classes: [Int], draw: UInt64) -> Int { index.image(showing: classes, draw: draw) }

    public func write(image: Int, into pixels: UnsafeMutableBufferPointer<Float>) {
        let chunk = image < counts[0] ? 0 : 1
        let local = image - (chunk == 0 ? 0 : counts[0])
        let side = SmallNORB.side, size = side * side
        var raw = [UInt8](repeating: 0, count: size)
        // Camera 0 is the first of the pair of 96×96 images stored for each item.
        raw.withUnsafeMutableBytes { files[chunk].file.read(at: files[chunk].headerSize + local * 2 * size, into: $0) }
        let small = raw.withUnsafeBufferPointer { AreaResize.planes($0, planes: 1, height: side, width: side, side: 64) }
        for i in 0..<(64 * 64) { pixels[i] = Float(small[i]) * (1 / 255) }
    }
}
