import Engine

/// The official dSprites archive (`dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz`): `imgs`
/// `[737280, 64, 64]` u8 in {0, 1}, `latents_classes` `[N, 6]` i64, `latents_values` `[N, 6]` f64.
/// The pickled `metadata` member is skipped; shapes come from the `.npy` headers.
public enum DSprites {
    public static func load(path: String, name: String, options: DatasetOptions) throws(DatasetError) -> Dataset {
        let all = try read(path: path)
        // The split keeps positions into the one set of bits rather than copying (a copy of the
        // official archive's pixels is what took it to 5.9 GB).
        let (train, test) = DatasetCatalog.splitPositions(count: all.count, testFraction: 0.1, seed: options.seed)
        let classNames = all.factors?.names == SpriteGrid.names ? SpriteGrid.shapeNames : (0..<all.classCount).map(String.init)
        return Dataset(name: name, train: ImageSubset(all, positions: train), test: ImageSubset(all, positions: test),
                       classNames: classNames, source: path)
    }

    /// The archive at `path`, its `imgs` packed into bits as they are read: an archive of stored
    /// members (`numpy.savez`) by position from the file, a compressed one (the official file,
    /// 26 MB for 2.9 GB of pixels) inflated 64 KiB at a time. Peak memory is the bits (N·H·W / 8
    /// bytes), the factor arrays and, for a compressed archive, the file itself.
    public static func read(path: String) throws(DatasetError) -> MaskImageSet {
        guard let file = try NPZFile.open(path: path) else { return try read(archive: try readFile(path), path: path) }
        let classes = try file.array("latents_classes"), values = try file.array("latents_values")
        var images = try imageStream(classes: classes, values: values, path: path)
        try file.stream("imgs") { (piece) throws(DatasetError) in try images.take(piece) }
        return try assemble(try images.finish(), classes: classes, values: values, path: path)
    }

    /// The archive whose bytes are `bytes` (any zip `NPZ` reads), naming `path` in errors.
    public static func read(archive bytes: [UInt8], path: String) throws(DatasetError) -> MaskImageSet {
        let archive = try ZipArchive(bytes: bytes, path: path)
        let classes = try NPY.parse(try archive.data("latents_classes.npy"), path: "\(path) (member latents_classes.npy)")
        let values = try NPY.parse(try archive.data("latents_values.npy"), path: "\(path) (member latents_values.npy)")
        var images = try imageStream(classes: classes, values: values, path: path)
        try archive.stream("imgs.npy") { (piece) throws(DatasetError) in try images.take(piece) }
        return try assemble(try images.finish(), classes: classes, values: values, path: path)
    }

    /// The reader of `imgs` once the factor arrays are known to be `[N, F]` alike: it expects N images.
    private static func imageStream(classes: NPYArray, values: NPYArray, path: String) throws(DatasetError) -> MaskArrayStream {
        guard classes.shape.count == 2, values.shape == classes.shape else {
            throw .malformedNPY(path: path, reason: "expected imgs [N, H, W] u8 and latents_classes/latents_values [N, F]")
        }
        return MaskArrayStream(path: "\(path) (member imgs.npy)", expectedCount: classes.shape[0])
    }

    /// Builds the image set from arrays already in memory (tests, and what `NPZ.read` returns),
    /// with the same checks as `read(path:)`: at least one image of at least 1×1, pixels 0 or 1
    /// (a 255 would otherwise silently become a 1), then `assemble`'s.
    static func decode(_ arrays: [String: NPYArray], path: String) throws(DatasetError) -> MaskImageSet {
        guard let images = arrays["imgs"], let classes = arrays["latents_classes"], let values = arrays["latents_values"],
              images.shape.count == 3, classes.shape.count == 2, values.shape == classes.shape,
              classes.shape[0] == images.shape[0], case .uint8(let pixels) = images.storage else {
            throw .malformedNPY(path: path, reason: "expected imgs [N, H, W] u8 and latents_classes/latents_values [N, F]")
        }
        guard images.shape.allSatisfy({ $0 >= 1 }) else {
            throw .invalidValue(path: path, reason: "imgs has shape \(images.shape); it needs at least one image of at least 1×1 pixels")
        }
        var bits = MaskBits(pixels: pixels.count)
        if let stray = pixels.withUnsafeBufferPointer({ bits.append($0) }) {
            throw .invalidValue(path: path, reason: "imgs holds \(pixels[stray]) at element \(stray); dSprites images are 0/1 masks")
        }
        return try assemble((images.shape, bits.words), classes: classes, values: values, path: path)
    }

    /// The set from its packed masks (`imgs`' shape [N, H, W] and bits) and factor arrays `[N, F]`,
    /// validating everything that later indexes or allocates: 1…`maximumFactors` factors, factor
    /// classes exact integers (int64 or u8 storage, never through Float, which would round 2^24 + 1
    /// and wrap huge values) in `0..<DatasetLimits.maximumFactorClasses` — within the official sizes
    /// for the official 6-factor layout — and factor values finite. The label (the shape factor, or
    /// the only one) must fit the UInt8 labels.
    private static func assemble(_ masks: (shape: [Int], bits: [UInt64]), classes: NPYArray, values: NPYArray,
                                 path: String) throws(DatasetError) -> MaskImageSet {
        let shape = masks.shape
        let count = shape[0], factorCount = classes.shape[1]
        guard factorCount >= 1, factorCount <= DatasetLimits.maximumFactors else {
            throw .invalidValue(path: path, reason: "latents_classes has \(factorCount) factors; expected 1…\(DatasetLimits.maximumFactors)")
        }
        let classValues: [Int64]
        switch classes.storage {
        case .int64(let a): classValues = a
        case .uint8(let a): classValues = a.map(Int64.init)
        case .float32, .float64:
            throw .invalidValue(path: path, reason: "latents_classes is \(classes.storage.descr); factor classes must be integers (i8 or u1)")
        }
        // The official grid's sizes and values for a 6-factor archive (so a partial archive keeps the
        // full grid); per factor, the value of each class present is read off the data.
        let official = factorCount == SpriteGrid.sizes.count
        let limits = official ? SpriteGrid.sizes : [Int](repeating: DatasetLimits.maximumFactorClasses, count: factorCount)
        var sizes = official ? SpriteGrid.sizes : [Int](repeating: 0, count: factorCount)
        for (i, value) in classValues.enumerated() {
            let f = i % factorCount
            guard value >= 0, value < Int64(limits[f]) else {
                throw .invalidValue(path: path, reason: "latents_classes[\(i / factorCount), \(f)] is \(value), outside 0..<\(limits[f])")
            }
            sizes[f] = max(sizes[f], Int(value) + 1)
        }
        let valueFloats = values.floats
        if let bad = valueFloats.firstIndex(where: { !$0.isFinite }) {
            throw .invalidValue(path: path, reason: "latents_values[\(bad / factorCount), \(bad % factorCount)] is \(valueFloats[bad]), not a finite number")
        }
        let labelFactor = min(1, factorCount - 1)
        guard sizes[labelFactor] <= 256 else {
            throw .invalidValue(path: path, reason: "factor \(labelFactor), the label, has \(sizes[labelFactor]) classes; at most 256 are supported")
        }
        var table = sizes.indices.map { f in
            (0..<sizes[f]).map { c in official && c < SpriteGrid.table.values[f].count ? SpriteGrid.table.values[f][c] : 0 }
        }
        for i in 0..<classValues.count { table[i % factorCount][Int(classValues[i])] = valueFloats[i] }
        let names = official ? SpriteGrid.names : (0..<factorCount).map { "factor\($0)" }
        return MaskImageSet(imageShape: [1, shape[1], shape[2]], count: count, bits: masks.bits,
                            labels: (0..<count).map { UInt8(classValues[$0 * factorCount + labelFactor]) },
                            classCount: sizes[labelFactor], factors: FactorTable(names: names, sizes: sizes, values: table),
                            factorValues: classValues.map { Int32($0) })
    }
}
