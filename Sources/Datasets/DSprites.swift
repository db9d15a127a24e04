import Engine

/// The official dSprites archive (`dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz`): `imgs`
/// `[737280, 64, 64]` u8 in {0, 1}, `latents_classes` `[N, 6]` i64, `latents_values` `[N, 6]` f64.
/// The pickled `metadata` member is skipped; shapes come from the `.npy` headers.
public enum DSprites {
    public static func load(path: String, name: String, options: DatasetOptions) throws(DatasetError) -> Dataset {
        let all = try decode(try NPZ.read(path: path, arrays: ["imgs", "latents_classes", "latents_values"]), path: path)
        let (train, test) = DatasetCatalog.split(all, testFraction: 0.1, seed: options.seed)
        let classNames = all.factors?.names == SpriteGrid.names ? SpriteGrid.shapeNames : (0..<all.classCount).map(String.init)
        return Dataset(name: name, train: train, test: test, classNames: classNames, source: path)
    }

    /// Builds the image set from the archive's arrays, validating everything that later indexes
    /// or allocates: at least one image of at least 1×1, pixels 0 or 1 (the set keeps them with
    /// scale 1, so a 255 would silently become 255.0), factor classes exact integers (int64 or u8
    /// storage, never through Float, which would round 2^24 + 1 and wrap huge values) in
    /// `0..<DatasetLimits.maximumFactorClasses` — within the official sizes for the official
    /// 6-factor layout — and factor values finite. The label (the shape factor, or the only one)
    /// must fit the UInt8 labels.
    static func decode(_ arrays: [String: NPYArray], path: String) throws(DatasetError) -> ByteImageSet {
        guard let images = arrays["imgs"], let classes = arrays["latents_classes"], let values = arrays["latents_values"],
              images.shape.count == 3, classes.shape.count == 2, values.shape == classes.shape,
              classes.shape[0] == images.shape[0], case .uint8(let pixels) = images.storage else {
            throw .malformedNPY(path: path, reason: "expected imgs [N, H, W] u8 and latents_classes/latents_values [N, F]")
        }
        let count = images.shape[0], factorCount = classes.shape[1]
        guard count >= 1, images.shape[1] >= 1, images.shape[2] >= 1 else {
            throw .invalidValue(path: path, reason: "imgs has shape \(images.shape); it needs at least one image of at least 1×1 pixels")
        }
        guard factorCount >= 1, factorCount <= DatasetLimits.maximumFactors else {
            throw .invalidValue(path: path, reason: "latents_classes has \(factorCount) factors; expected 1…\(DatasetLimits.maximumFactors)")
        }
        if !allZeroOrOne(pixels), let at = pixels.firstIndex(where: { $0 > 1 }) {
            throw .invalidValue(path: path, reason: "imgs holds \(pixels[at]) at element \(at); dSprites images are 0/1 masks")
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
        return ByteImageSet(imageShape: [1, images.shape[1], images.shape[2]], pixels: pixels,
                            labels: (0..<count).map { UInt8(classValues[$0 * factorCount + labelFactor]) },
                            classCount: sizes[labelFactor], scale: 1,
                            factors: FactorTable(names: names, sizes: sizes, values: table), factorValues: classValues.map { Int32($0) })
    }

    /// Whether every byte is 0 or 1, eight bytes at a time (the official archive holds 2.9 GB).
    static func allZeroOrOne(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            let words = raw.count / 8
            var seen: UInt64 = 0
            for i in 0..<words { seen |= raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self) }
            for i in (words * 8)..<raw.count { seen |= UInt64(raw[i]) }
            return seen & 0xFEFE_FEFE_FEFE_FEFE == 0
        }
    }
}
