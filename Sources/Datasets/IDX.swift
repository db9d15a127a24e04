import Foundation

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
        var bytes: [UInt8]
        do { bytes = try readFile(path) }
        if bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b {
            bytes = try Zlib.gunzip(bytes, path: path)
        }
        return try parse(bytes, path: path, expectedRank: expectedRank)
    }

    /// Parses IDX bytes, naming `path` in errors.
    public static func parse(_ bytes: [UInt8], path: String, expectedRank: Int) throws(DatasetError) -> Array {
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
        let payload = dimensions.reduce(1, *)
        guard bytes.count >= headerSize + payload else {
            throw .truncated(path: path, expectedBytes: headerSize + payload, actualBytes: bytes.count)
        }
        return Array(dimensions: dimensions, bytes: [UInt8](bytes[headerSize..<(headerSize + payload)]))
    }

    private static func bigEndian(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(bytes[offset + $1]) }
    }
}

/// Reads a whole file into memory, with a `DatasetError` naming it when missing or unreadable.
func readFile(_ path: String, hint: String = "Check the path.") throws(DatasetError) -> [UInt8] {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
        throw .missing(path: path, hint: hint)
    }
    guard !isFolder.boolValue, let data = FileManager.default.contents(atPath: path) else {
        throw .unreadable(path: path, reason: isFolder.boolValue ? "it is a folder" : "permission denied")
    }
    return [UInt8](data)
}
