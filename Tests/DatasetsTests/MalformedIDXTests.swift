import Foundation
import Testing
@testable import Datasets

/// IDX headers are untrusted: every malformed one ends in one DatasetError naming the file,
/// before anything is allocated from it.
@Suite struct MalformedIDXTests {
    let path = "memory.idx"
    let limit = DatasetLimits.maximumBytes

    func decode(_ bytes: [UInt8], rank: Int) throws(DatasetError) -> IDX.Array {
        try IDX.decode(bytes, path: path, expectedRank: rank)
    }

    func gzip(_ bytes: [UInt8]) -> [UInt8] { Zlib.deflate(bytes, windowBits: 31) }

    @Test func zeroCountIsRefused() {
        #expect(throws: DatasetError.invalidHeader(path: path, reason: "count is 0")) {
            try decode(Fixture.idx(rank: 3, dims: [0, 28, 28], payload: []), rank: 3)
        }
        #expect(throws: DatasetError.invalidHeader(path: path, reason: "count is 0")) {
            try decode(Fixture.idx(rank: 1, dims: [0], payload: []), rank: 1)
        }
    }

    /// A zero side would divide by zero (pixels per image) later.
    @Test func zeroRowsOrColumnsAreRefused() {
        #expect(throws: DatasetError.invalidHeader(path: path, reason: "rows is 0")) {
            try decode(Fixture.idx(rank: 3, dims: [2, 0, 28], payload: []), rank: 3)
        }
        #expect(throws: DatasetError.invalidHeader(path: path, reason: "columns is 0")) {
            try decode(Fixture.idx(rank: 3, dims: [2, 28, 0], payload: []), rank: 3)
        }
    }

    /// 0xFFFFFFFF × 65535 × 65535 bytes (18 EB) used to abort on the allocation.
    @Test func hugeDimensionsAreRefusedBeforeAllocating() {
        #expect(throws: DatasetError.tooLarge(path: path, declared: "4294967295 × 65535 × 65535 bytes", limit: limit)) {
            try decode(Fixture.idx(rank: 3, dims: [0xFFFF_FFFF, 65535, 65535], payload: []), rank: 3)
        }
        // Just over the 4 GiB limit, without overflow: 65537 × 256 × 256 bytes.
        #expect(throws: DatasetError.tooLarge(path: path, declared: "65537 × 256 × 256 bytes", limit: limit)) {
            try decode(Fixture.idx(rank: 3, dims: [65537, 256, 256], payload: []), rank: 3)
        }
        #expect(throws: DatasetError.tooLarge(path: path, declared: "4294967295 × 65535 × 65535 bytes", limit: limit)) {
            try decode(gzip(Fixture.idx(rank: 3, dims: [0xFFFF_FFFF, 65535, 65535], payload: [])), rank: 3)
        }
    }

    @Test func declaredCountBeyondTheFileIsTruncated() {
        #expect(throws: DatasetError.truncated(path: path, expectedBytes: 16 + 1000 * 784, actualBytes: 26)) {
            try decode(Fixture.idx(rank: 3, dims: [1000, 28, 28], payload: [UInt8](repeating: 1, count: 10)), rank: 3)
        }
        #expect(throws: DatasetError.truncated(path: path, expectedBytes: 16, actualBytes: 10)) {
            try decode(Array(Fixture.idx(rank: 3, dims: [1, 1, 1], payload: [7]).prefix(10)), rank: 3)
        }
    }

    /// A gzip stream shorter than its header declares is a truncation, counted in inflated bytes.
    @Test func gzipShorterThanDeclaredIsTruncated() {
        #expect(throws: DatasetError.truncated(path: path, expectedBytes: 8 + 100, actualBytes: 8 + 10)) {
            try decode(gzip(Fixture.idx(rank: 1, dims: [100], payload: Array(0..<10))), rank: 1)
        }
        // Not even a whole header inflates.
        #expect(throws: DatasetError.truncated(path: path, expectedBytes: 16, actualBytes: 8)) {
            try decode(gzip(Array(Fixture.idx(rank: 3, dims: [1, 1, 1], payload: []).prefix(8))), rank: 3)
        }
    }

    /// A gzip bomb: 16 MiB of zeros (16 KiB compressed) behind a header that declares 16 bytes.
    /// Only header + 16 bytes are inflated and returned.
    @Test func gzipBombInflatesOnlyTheDeclaredBytes() throws {
        let bomb = gzip(Fixture.idx(rank: 1, dims: [16], payload: Array(1...16)) + [UInt8](repeating: 0, count: 16 << 20))
        #expect(bomb.count < 64 << 10)
        let array = try decode(bomb, rank: 1)
        #expect(array.dimensions == [16] && array.bytes == Array(1...16))
        // The general gunzip stops at its maximum too.
        #expect(throws: DatasetError.tooLarge(path: path, declared: "a gzip stream of more than 1048576 bytes", limit: 1 << 20)) {
            try Zlib.gunzip(bomb, path: path, maximumSize: 1 << 20)
        }
        let prefix = try Zlib.gunzipPrefix(bomb, path: path, count: 100)
        #expect(prefix.bytes.count == 100 && prefix.exceedsLimit)
    }

    /// Files on disk go through the same checks (read(path:) uses decode).
    @Test func readUsesTheSameChecks() {
        let folder = Fixture.temporaryFolder()
        let file = folder + "/t10k-images-idx3-ubyte.gz"
        Fixture.write(gzip(Fixture.idx(rank: 3, dims: [3, 0, 2], payload: [])), file)
        #expect(throws: DatasetError.invalidHeader(path: file, reason: "rows is 0")) {
            try IDX.read(path: file, expectedRank: 3)
        }
    }

    /// A label of 200 with 10 classes would write a one-hot vector out of bounds.
    @Test func labelsBeyondTheClassCountAreRefused() {
        let folder = Fixture.temporaryFolder()
        for prefix in ["train", "t10k"] {
            Fixture.write(Fixture.idx(rank: 3, dims: [3, 2, 2], payload: [UInt8](repeating: 9, count: 12)), "\(folder)/\(prefix)-images-idx3-ubyte")
            Fixture.write(Fixture.idx(rank: 1, dims: [3], payload: prefix == "train" ? [1, 2, 3] : [4, 200, 5]), "\(folder)/\(prefix)-labels-idx1-ubyte")
        }
        #expect(throws: DatasetError.labelOutOfRange(path: folder + "/t10k-labels-idx1-ubyte", index: 1, label: 200, classCount: 10)) {
            try DatasetCatalog.load("mnist", options: DatasetOptions(dataDirectory: folder))
        }
    }

    /// Without named classes (`idx:DIR`) both splits share one class count, so a test label
    /// larger than every training label still fits a model built on the training split.
    @Test func splitsShareOneClassCount() throws {
        let folder = Fixture.temporaryFolder()
        for prefix in ["train", "t10k"] {
            Fixture.write(Fixture.idx(rank: 3, dims: [2, 1, 1], payload: [1, 2]), "\(folder)/\(prefix)-images-idx3-ubyte")
            Fixture.write(Fixture.idx(rank: 1, dims: [2], payload: prefix == "train" ? [0, 2] : [7, 1]), "\(folder)/\(prefix)-labels-idx1-ubyte")
        }
        let dataset = try DatasetCatalog.load("idx:" + folder, options: DatasetOptions())
        #expect(dataset.train.classCount == 8 && dataset.test.classCount == 8 && dataset.classNames.count == 8)
    }

    @Test func trainAndTestImageSizesMustAgree() {
        let folder = Fixture.temporaryFolder()
        for (prefix, side) in [("train", 2), ("t10k", 3)] {
            Fixture.write(Fixture.idx(rank: 3, dims: [1, side, side], payload: [UInt8](repeating: 0, count: side * side)),
                          "\(folder)/\(prefix)-images-idx3-ubyte")
            Fixture.write(Fixture.idx(rank: 1, dims: [1], payload: [0]), "\(folder)/\(prefix)-labels-idx1-ubyte")
        }
        #expect(throws: DatasetError.invalidHeader(path: folder + "/t10k-images-idx3-ubyte",
                                                   reason: "images are 3×3 but \(folder)/train-images-idx3-ubyte holds 2×2")) {
            try DatasetCatalog.load("idx:" + folder, options: DatasetOptions())
        }
    }

    /// Files over the limit are refused from their size, before they are read (a sparse file).
    @Test func oversizedFilesAreNotRead() throws {
        let file = Fixture.temporaryFolder() + "/huge-idx3-ubyte"
        Fixture.write([], file)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        try handle.truncate(atOffset: UInt64(limit) + 1)
        try handle.close()
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(throws: DatasetError.tooLarge(path: file, declared: "a file of \(limit + 1) bytes", limit: limit)) {
            try IDX.read(path: file, expectedRank: 3)
        }
    }

    /// Sprite counts come from options, not files, but must not reach an empty range either.
    @Test func spriteCountsMustBePositive() {
        var options = DatasetOptions()
        options.spriteTrainCount = -5
        #expect(throws: DatasetError.invalidOption("sprite train and test counts must be positive, not -5 and 5000")) {
            try DatasetCatalog.load("sprites", options: options)
        }
    }

    @Test func messagesNameTheFileAndWhatToDo() {
        #expect(DatasetError.tooLarge(path: "a.idx", declared: "1 × 2 bytes", limit: 1 << 32).description
                == "a.idx: declares 1 × 2 bytes, more than the limit of 4294967296 bytes (4 GiB); the header is corrupt or the data too large, check the file or split it")
        #expect(DatasetError.tooLarge(path: "a.gz", declared: "a gzip stream of more than 1048576 bytes", limit: 1 << 20).description
                == "a.gz: declares a gzip stream of more than 1048576 bytes, more than the limit of 1048576 bytes (1 MiB); the header is corrupt or the data too large, check the file or split it")
        #expect(DatasetError.labelOutOfRange(path: "l", index: 1, label: 200, classCount: 10).description
                == "l: label 200 of item 1 is outside 0..<10 (10 classes); the labels file is corrupt or belongs to another dataset")
        #expect(DatasetError.invalidHeader(path: "a.idx", reason: "rows is 0").description
                == "a.idx: invalid header (rows is 0); the file is corrupt or not in this format, download or export it again")
    }
}
