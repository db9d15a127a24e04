import Foundation
import Testing
@testable import Datasets

@Suite struct IDXTests {
    static let fashionPresent = FileManager.default.fileExists(atPath: DatasetCatalog.fashionMNISTFolder + "/train-images-idx3-ubyte.gz")

    /// The real Fashion-MNIST files (installed by `make setup`): counts, first labels, pixel sums
    /// (checked against numpy).
    @Test(.enabled(if: fashionPresent, "Fashion-MNIST not installed (make setup installs it)"))
    func realFashionMNIST() throws {
        let dataset = try DatasetCatalog.load("fashion-mnist", options: DatasetOptions())
        #expect(dataset.train.count == 60_000)
        #expect(dataset.test.count == 10_000)
        #expect(dataset.imageShape == [1, 28, 28])
        #expect((0..<10).map { dataset.train.label($0) } == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5])
        #expect((0..<10).map { dataset.test.label($0) } == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7])
        guard let train = dataset.train as? ByteImageSet, let test = dataset.test as? ByteImageSet else {
            Issue.record("IDX data should be held as bytes"); return
        }
        #expect(train.pixels.count == 47_040_000)
        #expect(train.pixels.reduce(0) { $0 + Int($1) } == 3_431_114_169)
        #expect(test.pixels.reduce(0) { $0 + Int($1) } == 573_469_082)
        let first = train.batch([0])
        #expect(abs(first.sum() - 76_247.0 / 255) < 1e-2)
        #expect(dataset.classNames[9] == "Ankle boot")
    }

    @Test func rawAndGzipFilesParse() throws {
        let folder = Fixture.temporaryFolder()
        let images = Fixture.idx(rank: 3, dims: [2, 2, 3], payload: Array(0..<12))
        Fixture.write(images, folder + "/raw")
        let parsed = try IDX.read(path: folder + "/raw", expectedRank: 3)
        #expect(parsed.dimensions == [2, 2, 3])
        #expect(parsed.bytes == Array(0..<12))
    }

    @Test func badFilesNameTheFile() throws {
        let folder = Fixture.temporaryFolder()
        let path = folder + "/bad"
        Fixture.write(Fixture.idx(rank: 1, dims: [3], payload: [1, 2, 3]), path)
        #expect(Fixture.error { _ = try IDX.read(path: path, expectedRank: 3) }
                == .badMagic(path: path, found: "0x00000801", expected: "0x00000803"))
        Fixture.write(Fixture.idx(rank: 3, dims: [5, 28, 28], payload: [UInt8](repeating: 0, count: 100)), path)
        #expect(Fixture.error { _ = try IDX.read(path: path, expectedRank: 3) }
                == .truncated(path: path, expectedBytes: 16 + 3920, actualBytes: 116))
        Fixture.write([0, 0, 8], path)
        #expect(Fixture.error { _ = try IDX.read(path: path, expectedRank: 1) } == .truncated(path: path, expectedBytes: 4, actualBytes: 3))
        #expect(Fixture.error { _ = try IDX.read(path: folder + "/absent", expectedRank: 1) }
                == .missing(path: folder + "/absent", hint: "Check the path."))
    }

    @Test func truncatedGzipIsReported() throws {
        let folder = Fixture.temporaryFolder()
        let gz = folder + "/x.gz"
        let payload = Fixture.idx(rank: 1, dims: [4000], payload: (0..<4000).map { UInt8($0 % 251) })
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        Fixture.write(payload, folder + "/x")
        process.arguments = ["gzip", "-k", folder + "/x"]
        try process.run()
        process.waitUntilExit()
        let whole = try IDX.read(path: gz, expectedRank: 1)
        #expect(whole.bytes.count == 4000)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: gz)))
        Fixture.write(Array(bytes.prefix(bytes.count / 2)), gz)
        guard case .corruptGzip(let path, _)? = Fixture.error({ _ = try IDX.read(path: gz, expectedRank: 1) }) else {
            Issue.record("truncated gzip accepted"); return
        }
        #expect(path == gz)
    }

    @Test func imageAndLabelCountsMustAgree() {
        let folder = Fixture.temporaryFolder()
        Fixture.write(Fixture.idx(rank: 3, dims: [3, 2, 2], payload: [UInt8](repeating: 9, count: 12)), folder + "/t10k-images-idx3-ubyte")
        Fixture.write(Fixture.idx(rank: 1, dims: [2], payload: [1, 2]), folder + "/t10k-labels-idx1-ubyte")
        #expect(Fixture.error { _ = try DatasetCatalog.load("idx:" + folder, options: DatasetOptions()) }
                == .countMismatch(images: folder + "/t10k-images-idx3-ubyte", labels: folder + "/t10k-labels-idx1-ubyte",
                                  imageCount: 3, labelCount: 2))
    }

    /// Only the t10k pair: a seeded 80/20 split that is the same for the same seed.
    @Test func t10kOnlyFolderIsSplit() throws {
        let folder = Fixture.temporaryFolder()
        Fixture.write(Fixture.idx(rank: 3, dims: [10, 1, 1], payload: Array(0..<10)), folder + "/t10k-images-idx3-ubyte")
        Fixture.write(Fixture.idx(rank: 1, dims: [10], payload: Array(0..<10)), folder + "/t10k-labels-idx1-ubyte")
        let a = try DatasetCatalog.load("idx:" + folder, options: DatasetOptions(seed: 3))
        let b = try DatasetCatalog.load("idx:" + folder, options: DatasetOptions(seed: 3))
        #expect(a.train.count == 8 && a.test.count == 2)
        let trainLabels = (0..<8).map { a.train.label($0) }
        #expect(trainLabels == (0..<8).map { b.train.label($0) })
        #expect(Set(trainLabels + [a.test.label(0), a.test.label(1)]) == Set(0..<10))
        let limited = try DatasetCatalog.load("idx:" + folder, options: DatasetOptions(limit: 3, seed: 3))
        #expect(limited.train.count == 3)
    }

    @Test func missingDatasetsSayWhereAndHow() {
        let options = DatasetOptions(dataDirectory: "/nonexistent/mnist")
        #expect(Fixture.error { _ = try DatasetCatalog.load("mnist", options: options) }?.description
                == "/nonexistent/mnist/train-images-idx3-ubyte[.gz]: not found. Put the four MNIST IDX files there, or pass --data-dir DIR or set BETAVAE_DATA.")
        #expect(Fixture.error { _ = try DatasetCatalog.load("cifar", options: options) } == .unknownDataset(name: "cifar"))
        #expect(Fixture.error { _ = try DatasetCatalog.load("sprites", options: DatasetOptions(limit: 0)) }
                == .invalidOption("--limit must be positive, not 0"))
    }
}
