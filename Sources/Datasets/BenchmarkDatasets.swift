import Foundation

/// The disentanglement benchmarks with known factors (Locatello et al. 2019, plus MPI3D): where
/// each is looked for, how it is loaded, and how it is split. Each loads as a ground-truth source
/// whose train split can draw any factor combination (`FactorImageGenerator`), so every
/// disentanglement score samples fresh observations from the factor space as the library does.
public enum BenchmarkDatasets {
    /// One named benchmark: its folder under `$BETAVAE_DATA`, the file(s) that must be there and where they come from.
    public struct Entry: Sendable {
        public let name: String
        public let folder: String
        /// What must be in the folder (a file name, or a pattern for Cars3D).
        public let files: [String]
        public let hint: String
    }

    public static let entries: [Entry] = [
        Entry(name: "shapes3d", folder: "shapes3d", files: [Shapes3D.fileName], hint: Shapes3D.hint),
    ] + MPI3D.variants.map { Entry(name: $0.0, folder: "mpi3d", files: [$0.1], hint: MPI3D.hint) } + [
        Entry(name: "smallnorb", folder: "smallnorb", files: SmallNORB.chunks.flatMap { c in ["dat", "cat", "info"].map { SmallNORB.fileName(c, $0) } },
              hint: SmallNORB.hint),
        Entry(name: "cars3d", folder: "cars3d", files: ["car_*_mesh.mat"], hint: Cars3D.hint),
    ] + DSpritesVariant.allCases.map {
        Entry(name: $0.rawValue, folder: "dsprites", files: [],
              hint: "drawn with Cairo, or the official \(DSpritesVariants.npzName) when --data-dir holds it"
                + ($0 == .scream ? "; needs --background PICTURE.png" : ""))
    }

    /// The folder `entry` is looked for in: `--data-dir`, else `$BETAVAE_DATA/FOLDER`, else `data/FOLDER`.
    public static func folder(_ entry: Entry, _ options: DatasetOptions) -> String {
        if let folder = options.dataDirectory { return folder }
        if let root = ProcessInfo.processInfo.environment["BETAVAE_DATA"] { return root + "/" + entry.folder }
        return "data/" + entry.folder
    }

    /// The named benchmark, or nil when `name` is not one.
    public static func load(_ name: String, options: DatasetOptions) throws(DatasetError) -> Dataset? {
        guard let entry = entries.first(where: { $0.name == name }) else { return nil }
        let folder = folder(entry, options)
        let source: any GroundTruthSource
        var classNames: [String]
        var coversGrid = true
        switch name {
        case "shapes3d":
            source = try Shapes3D.source(path: folder + "/" + Shapes3D.fileName)
            classNames = ["cube", "cylinder", "sphere", "capsule"]
        case "smallnorb":
            let norb = try SmallNORB.source(folder: folder)
            source = norb
            classNames = SmallNORB.categoryNames
            coversGrid = norb.index.coversGrid
        case "cars3d":
            let paths = try Cars3D.files(folder: folder)
            source = try Cars3D.source(folder: folder)
            classNames = paths.map { (($0 as NSString).lastPathComponent as NSString).deletingPathExtension }
        case _ where name.hasPrefix("mpi3d-"):
            source = try MPI3D.source(path: folder + "/" + entry.files[0])
            classNames = ["cone", "cube", "cylinder", "hexagonal", "pyramid", "sphere"]
        default:
            guard let variant = DSpritesVariant(rawValue: name) else { return nil }
            source = try DSpritesVariants.source(variant, folder: options.dataDirectory, options: options)
            classNames = SpriteGrid.shapeNames
        }
        if options.background != nil && !name.hasPrefix("scream") {
            throw .invalidOption("--background is only for scream-dsprites, not \(name)")
        }
        guard source.count >= 2 else { throw .invalidOption("\(name) has \(source.count) image; it needs at least 2 to split") }
        let testCount = min(options.testLimit ?? min(5_000, max(1, source.count / 10)), source.count - 1)
        let (train, test) = GroundTruthImageSet.split(source, testCount: testCount, trainLimit: options.limit, seed: options.seed)
        let described = folder + (coversGrid ? "" : " (not every factor combination is present: metrics use the encoded test images)")
        // Without every combination no combination can be drawn on request: the sets are wrapped
        // so they are not `FactorImageGenerator`s, and the metrics fall back to a pool of test images.
        if !coversGrid {
            return Dataset(name: name, train: ImageSubset(train, positions: Array(0..<train.count)), test: ImageSubset(test, positions: Array(0..<test.count)),
                           classNames: classNames, source: described)
        }
        return Dataset(name: name, train: train, test: test, classNames: classNames, source: described)
    }
}

/// Where the dSprites variants get their masks and background.
public enum DSpritesVariants {
    public static let npzName = "dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz"

    /// The variant over the official archive when `folder` holds it (the whole grid, in order),
    /// else over sprites drawn with Cairo; scream's background from `options.background`.
    static func source(_ variant: DSpritesVariant, folder: String?, options: DatasetOptions) throws(DatasetError) -> DSpritesVariantSource {
        let background: BackgroundPicture?
        switch (variant, options.background) {
        case (.scream, nil): throw .invalidOption("scream-dsprites needs --background PICTURE.png (disentanglement_lib crops The Scream; any picture over 64×64 works)")
        case (.scream, let path?): background = try BackgroundPicture(path: path)
        default: background = nil
        }
        var base: any ImageSet = SpriteImageSet(indices: Array(0..<SpriteGrid.count))
        if let folder, FileManager.default.fileExists(atPath: folder + "/" + npzName) {
            let path = folder + "/" + npzName
            let all = try DSprites.read(path: path)
            guard all.count == SpriteGrid.count, all.imageShape == [1, 64, 64], all.factors?.sizes == SpriteGrid.sizes,
                  (0..<all.count).allSatisfy({ SpriteGrid.index(of: all.factorClasses($0)) == $0 }) else {
                throw .invalidValue(path: path, reason: "it is not the whole dSprites grid in order (\(all.count) images of \(all.imageShape))")
            }
            base = all
        }
        return DSpritesVariantSource(variant: variant, base: base, background: background, seed: options.seed)
    }
}
