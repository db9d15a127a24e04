import Engine
import Foundation

/// A dataset ready for training: a train and a test split, plus what the tool needs to know
/// about it (its name as given, label names, the default likelihood).
public struct Dataset: Sendable {
    /// The name as the user gave it (`fashion-mnist`, `idx:/data/kmnist`, `sprites`).
    public let name: String
    public let train: any ImageSet
    public let test: any ImageSet
    /// Names of the label classes (empty when unlabelled).
    public let classNames: [String]
    /// Where the data came from, for the run's config.
    public let source: String

    public init(name: String, train: any ImageSet, test: any ImageSet, classNames: [String], source: String) {
        self.name = name
        self.train = train
        self.test = test
        self.classNames = classNames
        self.source = source
    }

    /// `[C, H, W]` of one image.
    public var imageShape: [Int] { train.imageShape }

    /// Bernoulli for MNIST-format, sprites and grey folders; Gaussian for RGB folders.
    public var defaultLikelihood: String { imageShape[0] == 3 ? "gaussian" : "bernoulli" }
}

/// How to find and cut a dataset; every choice that involves chance comes from `seed`.
public struct DatasetOptions: Sendable {
    /// A folder holding the MNIST files (`mnist`), overriding `$BETAVAE_DATA/mnist`.
    public var dataDirectory: String?
    /// Use only the first N training images (after the seeded split, where there is one).
    public var limit: Int?
    /// Use only the first N test images.
    public var testLimit: Int?
    /// Seed for splits and sprite subsets.
    public var seed: UInt64 = 0
    /// Channels for `images:DIR` (3 = RGB, 1 = grey).
    public var channels: Int = 3
    /// Training images drawn from the sprite grid (when no `limit` is given).
    public var spriteTrainCount = 60_000
    /// Test images drawn from the sprite grid (when no `testLimit` is given).
    public var spriteTestCount = 5_000
    /// The picture behind scream-dsprites (a PNG).
    public var background: String?
    /// False: an MNIST-format dataset's training images are not read, only their labels
    /// (`UnreadImages`) — for a command that uses the test images alone (`report` with a saved
    /// evaluation). Other datasets read everything.
    public var readsTrainingImages = true

    public init(dataDirectory: String? = nil, limit: Int? = nil, testLimit: Int? = nil, seed: UInt64 = 0) {
        self.dataDirectory = dataDirectory
        self.limit = limit
        self.testLimit = testLimit
        self.seed = seed
    }
}

/// The named datasets: `fashion-mnist` (default), `mnist`, `idx:DIR`, `sprites`, `dsprites:PATH`,
/// `images:DIR`, and the benchmarks with known factors (`BenchmarkDatasets`).
public enum DatasetCatalog {
    public static let fashionMNISTFolder = "/usr/share/datasets/fashion-mnist"
    public static let fashionClassNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    static let idxStems = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                           "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]

    /// The folder `mnist` is looked for in.
    public static func mnistFolder(_ options: DatasetOptions) -> String {
        if let folder = options.dataDirectory { return folder }
        if let root = ProcessInfo.processInfo.environment["BETAVAE_DATA"] { return root + "/mnist" }
        return "data/mnist"
    }

    /// Loads the dataset named `name`.
    public static func load(_ name: String, options: DatasetOptions) throws(DatasetError) -> Dataset {
        if let limit = options.limit, limit <= 0 { throw .invalidOption("--limit must be positive, not \(limit)") }
        if let limit = options.testLimit, limit <= 0 { throw .invalidOption("--test-limit must be positive, not \(limit)") }
        let dataset: Dataset
        switch name {
        case "fashion-mnist":
            dataset = try loadIDX(folder: fashionMNISTFolder, name: name, classNames: fashionClassNames, options: options,
                                  hint: "Install it with: apt-get install dataset-fashion-mnist (or run make setup).")
        case "mnist":
            dataset = try loadIDX(folder: mnistFolder(options), name: name, classNames: (0..<10).map(String.init), options: options,
                                  hint: "Put the four MNIST IDX files there, or pass --data-dir DIR or set BETAVAE_DATA.")
        case "sprites":
            dataset = try sprites(options: options)
        case _ where name.hasPrefix("idx:"):
            dataset = try loadIDX(folder: String(name.dropFirst(4)), name: name, classNames: [], options: options,
                                  hint: "Give a folder with train-/t10k- images and labels in IDX format (raw or .gz).")
        case _ where name.hasPrefix("dsprites:"):
            dataset = try DSprites.load(path: String(name.dropFirst(9)), name: name, options: options)
        case _ where name.hasPrefix("images:"):
            let folder = String(name.dropFirst(7))
            let all = try ImageFolder.load(folder: folder, channels: options.channels)
            let (train, test) = split(all, testFraction: 0.1, seed: options.seed)
            dataset = Dataset(name: name, train: train, test: test, classNames: [], source: folder)
        default:
            guard let benchmark = try BenchmarkDatasets.load(name, options: options) else { throw .unknownDataset(name: name) }
            dataset = benchmark
        }
        return limited(dataset, options)
    }

    /// The dataset with `--limit` / `--test-limit` applied.
    static func limited(_ dataset: Dataset, _ options: DatasetOptions) -> Dataset {
        func cut(_ set: any ImageSet, _ limit: Int?) -> any ImageSet {
            guard let limit, limit < set.count else { return set }
            if let bytes = set as? ByteImageSet { return bytes.subset(Array(0..<limit)) }
            return ImageSubset(set, positions: Array(0..<limit))
        }
        return Dataset(name: dataset.name, train: cut(dataset.train, options.limit), test: cut(dataset.test, options.testLimit),
                       classNames: dataset.classNames, source: dataset.source)
    }

    /// The file `stem` or `stem.gz` in `folder`, whichever exists.
    static func idxFile(_ folder: String, _ stem: String) -> String? {
        [stem, stem + ".gz"].map { folder + "/" + $0 }.first { FileManager.default.fileExists(atPath: $0) }
    }

    /// The four MNIST-format files of `folder`; with only the t10k pair, a seeded 80/20 split of it.
    /// With named classes every label must be below their number; without (`idx:DIR`), both
    /// splits get one class count, the largest label of either plus one, so a test label can
    /// never index past a conditional model's one-hot built from the training split.
    static func loadIDX(folder: String, name: String, classNames: [String], options: DatasetOptions,
                        hint: String) throws(DatasetError) -> Dataset {
        let files = idxStems.map { idxFile(folder, $0) }
        let named = classNames.isEmpty ? nil : classNames.count
        if let trainImages = files[0], let trainLabels = files[1], let testImages = files[2], let testLabels = files[3] {
            var test = try labelledImages(testImages, testLabels, classCount: named)
            guard options.readsTrainingImages else {
                var train = try UnreadImages(labelsPath: trainLabels, imageShape: test.imageShape, classCount: named)
                if named == nil {
                    let common = max(train.classCount, test.classCount)
                    train.classCount = common
                    test = test.withClassCount(common)
                }
                return Dataset(name: name, train: train, test: test, classNames: classNames.isEmpty ? names(test) : classNames, source: folder)
            }
            var train = try labelledImages(trainImages, trainLabels, classCount: named)
            if named == nil {
                let common = max(train.classCount, test.classCount)
                train = train.withClassCount(common)
                test = test.withClassCount(common)
            }
            guard train.imageShape == test.imageShape else {
                throw .invalidHeader(path: testImages, reason: "images are \(test.imageShape[1])×\(test.imageShape[2]) but "
                                     + "\(trainImages) holds \(train.imageShape[1])×\(train.imageShape[2])")
            }
            return Dataset(name: name, train: train, test: test, classNames: classNames.isEmpty ? names(train) : classNames, source: folder)
        }
        if files[0] == nil, files[1] == nil, let testImages = files[2], let testLabels = files[3] {
            let all = try labelledImages(testImages, testLabels, classCount: named)
            let (train, test) = split(all, testFraction: 0.2, seed: options.seed)
            return Dataset(name: name, train: train, test: test, classNames: classNames.isEmpty ? names(all) : classNames,
                           source: folder + " (t10k only, seeded 80/20 split)")
        }
        let missing = zip(idxStems, files).first { $0.1 == nil }.map { folder + "/" + $0.0 + "[.gz]" } ?? folder
        throw .missing(path: missing, hint: hint)
    }

    static func names(_ set: ByteImageSet) -> [String] { (0..<set.classCount).map(String.init) }

    /// Reads an images file and a labels file and checks that they agree: as many labels as
    /// images, and every label below `classCount` (when given; otherwise the class count is the
    /// largest label plus one).
    public static func labelledImages(_ imagesPath: String, _ labelsPath: String,
                                      classCount: Int? = nil) throws(DatasetError) -> ByteImageSet {
        let images = try IDX.read(path: imagesPath, expectedRank: 3)
        let labels = try checkedLabels(labelsPath, classCount: classCount)
        guard images.dimensions[0] == labels.bytes.count else {
            throw .countMismatch(images: imagesPath, labels: labelsPath, imageCount: images.dimensions[0], labelCount: labels.bytes.count)
        }
        return ByteImageSet(imageShape: [1, images.dimensions[1], images.dimensions[2]], pixels: images.bytes,
                            labels: labels.bytes, classCount: labels.classCount)
    }

    /// The labels of an IDX labels file, every one below `classCount` when given (otherwise the
    /// class count is the largest label plus one).
    static func checkedLabels(_ path: String, classCount: Int?) throws(DatasetError) -> (bytes: [UInt8], classCount: Int) {
        let labels = try IDX.read(path: path, expectedRank: 1)
        let largest = Int(labels.bytes.max() ?? 0)
        if let classCount, largest >= classCount {
            let index = labels.bytes.firstIndex { Int($0) >= classCount } ?? 0
            throw .labelOutOfRange(path: path, index: index, label: Int(labels.bytes[index]), classCount: classCount)
        }
        return (labels.bytes, classCount ?? largest + 1)
    }

    /// A seeded train/test split: a permutation from `seed`, the last `testFraction` for testing.
    /// Loaders guarantee at least one image (IDX counts ≥ 1, non-empty folders and archives).
    static func split(_ set: ByteImageSet, testFraction: Double, seed: UInt64) -> (ByteImageSet, ByteImageSet) {
        let (train, test) = splitPositions(count: set.count, testFraction: testFraction, seed: seed)
        return (set.subset(train), set.subset(test))
    }

    /// The positions of that split (one image is in both when there is only one).
    static func splitPositions(count: Int, testFraction: Double, seed: UInt64) -> (train: [Int], test: [Int]) {
        precondition(count >= 1, "split of an empty set")
        var rng = RandomGenerator(seed: seed ^ 0x5E1177)
        let order = rng.permutation(count)
        let testCount = max(1, Int((Double(count) * testFraction).rounded()))
        let trainCount = max(count - testCount, 1)
        return (Array(order[0..<trainCount]), Array(order[(count - testCount)...]))
    }

    /// Disjoint seeded subsets of the sprite grid for training and testing.
    static func sprites(options: DatasetOptions) throws(DatasetError) -> Dataset {
        guard options.spriteTrainCount >= 1, options.spriteTestCount >= 1 else {
            throw .invalidOption("sprite train and test counts must be positive, not \(options.spriteTrainCount) and \(options.spriteTestCount)")
        }
        var rng = RandomGenerator(seed: options.seed ^ 0x5971_7E5)
        let trainCount = min(options.limit ?? options.spriteTrainCount, SpriteGrid.count - 1)
        let testCount = min(options.testLimit ?? options.spriteTestCount, SpriteGrid.count - trainCount)
        let order = rng.permutation(SpriteGrid.count)
        return Dataset(name: "sprites", train: SpriteImageSet(indices: Array(order[0..<trainCount])),
                       test: SpriteImageSet(indices: Array(order[trainCount..<(trainCount + testCount)])),
                       classNames: SpriteGrid.shapeNames, source: "procedural (Cairo), dSprites factor grid")
    }
}
