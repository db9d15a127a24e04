import Engine

/// The official dSprites archive (`dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz`): `imgs`
/// `[737280, 64, 64]` u8 in {0, 1}, `latents_classes` `[N, 6]` i64, `latents_values` `[N, 6]` f64.
/// The pickled `metadata` member is skipped; shapes come from the `.npy` headers.
public enum DSprites {
    public static func load(path: String, name: String, options: DatasetOptions) throws(DatasetError) -> Dataset {
        let arrays = try NPZ.read(path: path, arrays: ["imgs", "latents_classes", "latents_values"])
        guard let images = arrays["imgs"], let classes = arrays["latents_classes"], let values = arrays["latents_values"],
              images.shape.count == 3, classes.shape.count == 2, values.shape == classes.shape,
              classes.shape[0] == images.shape[0], case .uint8(let pixels) = images.storage else {
            throw .malformedNPY(path: path, reason: "expected imgs [N, H, W] u8 and latents_classes/latents_values [N, F]")
        }
        let factorCount = classes.shape[1]
        let classValues: [Int32] = classes.floats.map { Int32($0) }
        let valueFloats = values.floats
        // The official grid's sizes and values for a 6-factor archive (so a partial archive keeps the
        // full grid); per factor, the value of each class present is read off the data.
        let official = factorCount == SpriteGrid.sizes.count
        var sizes = official ? SpriteGrid.sizes : [Int](repeating: 0, count: factorCount)
        for i in 0..<classValues.count { sizes[i % factorCount] = max(sizes[i % factorCount], Int(classValues[i]) + 1) }
        var table = sizes.indices.map { f in
            (0..<sizes[f]).map { c in official && c < SpriteGrid.table.values[f].count ? SpriteGrid.table.values[f][c] : 0 }
        }
        for i in 0..<classValues.count { table[i % factorCount][Int(classValues[i])] = valueFloats[i] }
        let names = factorCount == SpriteGrid.names.count ? SpriteGrid.names : (0..<factorCount).map { "factor\($0)" }
        let all = ByteImageSet(imageShape: [1, images.shape[1], images.shape[2]], pixels: pixels,
                               labels: (0..<images.shape[0]).map { UInt8(clamping: classValues[$0 * factorCount + min(1, factorCount - 1)]) },
                               classCount: sizes[min(1, factorCount - 1)], scale: 1,
                               factors: FactorTable(names: names, sizes: sizes, values: table), factorValues: classValues)
        let (train, test) = DatasetCatalog.split(all, testFraction: 0.1, seed: options.seed)
        return Dataset(name: name, train: train, test: test, classNames: SpriteGrid.shapeNames, source: path)
    }
}
