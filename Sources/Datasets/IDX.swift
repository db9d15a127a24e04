import Foundation
import Engine

/// The IDX format of MNIST-style files (LeCun et al.): a big-endian magic 0x000008TD (T = 08 for
/// unsigned bytes, D = number of dimensions), D big-endian UInt32 sizes, then the data.
/// Files may be gzip-compressed (`.gz`).
public enum IDX {
    /// A decoded IDX file of unsigned bytes: `[N, 28, 28]` images or `[N]` labels.
    public struct Array: Sendable {
        public let dimensions: [Int]
        public let bytes: [UInt8]
    }

    /// Reads an IDX file (raw or gzip), checking the magic for `expectedRank` dimensions of u8.
    public static func read(path: String, expectedRank: Int) throws(DatasetError) -> Array {
        try decode(try readFile(path), path: path, expectedRank: expectedRank)
    }

    /// Decodes the bytes of an IDX file, raw or gzip (detected by its magic), naming `path` in
    /// errors. A gzip stream is inflated in two bounded steps: first only the header's bytes,
    /// which are validated, then exactly header + payload bytes, so a small file that inflates to
    /// gigabytes costs no more memory than its header declares (and that is at most
    /// `DatasetLimits.maximumBytes`). Bytes past the declared payload are ignored, as in raw files.
    public static func decode(_ bytes: [UInt8], path: String, expectedRank: Int) throws(DatasetError) -> Array {
        guard bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b else {
            return try parse(bytes, path: path, expectedRank: expectedRank)
        }
        let headerSize = 4 + 4 * expectedRank
        let head = try Zlib.gunzipPrefix(bytes, path: path, count: headerSize).bytes
        let (dimensions, payload) = try header(head, path: path, expectedRank: expectedRank)
        // The inflated stream and the payload's copy are alive together.
        try DatasetLimits.reserve(2 * (headerSize + payload), for: "inflating its \(dimensions.map(String.init).joined(separator: " × ")) bytes",
                                  path: path)
        let whole = try Zlib.gunzipPrefix(bytes, path: path, count: headerSize + payload).bytes
        guard whole.count == headerSize + payload else {
            throw .truncated(path: path, expectedBytes: headerSize + payload, actualBytes: whole.count)
        }
        return Array(dimensions: dimensions, bytes: [UInt8](whole[headerSize...]))
    }

    /// Parses IDX bytes, naming `path` in errors.
    public static func parse(_ bytes: [UInt8], path: String, expectedRank: Int) throws(DatasetError) -> Array {
        let (dimensions, payload) = try header(bytes, path: path, expectedRank: expectedRank)
        let headerSize = 4 + 4 * expectedRank
        guard bytes.count - headerSize >= payload else {
            throw .truncated(path: path, expectedBytes: headerSize + payload, actualBytes: bytes.count)
        }
        return Array(dimensions: dimensions, bytes: [UInt8](bytes[headerSize..<(headerSize + payload)]))
    }

    /// Validates the magic and the dimensions at the start of `bytes` and returns them with the
    /// payload size: every dimension at least 1 (a zero count or side divides by zero or
    /// indexes an empty array later), the product computed with overflow checks and at most
    /// `DatasetLimits.maximumBytes`.
    static func header(_ bytes: [UInt8], path: String, expectedRank: Int) throws(DatasetError) -> (dimensions: [Int], payload: Int) {
        precondition(expectedRank >= 1 && expectedRank <= 255, "IDX rank \(expectedRank)")
        let expectedMagic = String(format: "0x%08X", 0x0800 + expectedRank)
        guard bytes.count >= 4 else { throw .truncated(path: path, expectedBytes: 4, actualBytes: bytes.count) }
        let magic = bigEndian(bytes, at: 0)
        guard magic == UInt32(0x0800 + expectedRank) else {
            throw .badMagic(path: path, found: String(format: "0x%08X", magic), expected: expectedMagic)
        }
        let headerSize = 4 + 4 * expectedRank
        guard bytes.count >= headerSize else {
            throw .truncated(path: path, expectedBytes: headerSize, actualBytes: bytes.count)
        }
        let dimensions = (0..<expectedRank).map { Int(bigEndian(bytes, at: 4 + 4 * $0)) }
        let names = expectedRank == 3 ? ["count", "rows", "columns"] : expectedRank == 1 ? ["count"] : (0..<expectedRank).map { "dimension \($0)" }
        for (name, size) in zip(names, dimensions) where size == 0 {
            throw .invalidHeader(path: path, reason: "\(name) is 0")
        }
        guard let payload = SizeProduct.of(dimensions, limit: DatasetLimits.maximumBytes) else {
            throw .tooLarge(path: path, declared: dimensions.map(String.init).joined(separator: " × ") + " bytes",
                            limit: DatasetLimits.maximumBytes)
        }
        return (dimensions, payload)
    }

    private static func bigEndian(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(bytes[offset + $1]) }
    }
}

/// Reads a whole file into memory, with a `DatasetError` naming it when missing or unreadable.
/// Files above `DatasetLimits.maximumBytes` are refused before they are read.
func readFile(_ path: String, hint: String = "Check the path.") throws(DatasetError) -> [UInt8] {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
        throw .missing(path: path, hint: hint)
    }
    if !isFolder.boolValue, let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber,
       size.int64Value > Int64(DatasetLimits.maximumBytes) {
        throw .tooLarge(path: path, declared: "a file of \(size.int64Value) bytes", limit: DatasetLimits.maximumBytes)
    }
    if !isFolder.boolValue, let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber {
        try DatasetLimits.reserve(2 * Int(size.int64Value), for: "reading it", path: path)   // the Data and its [UInt8] copy
    }
    guard !isFolder.boolValue, let data = FileManager.default.contents(atPath: path) else {
        throw .unreadable(path: path, reason: isFolder.boolValue ? "it is a folder" : "permission denied")
    }
    return [UInt8](data)
}
