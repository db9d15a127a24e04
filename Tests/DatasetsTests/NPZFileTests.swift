import Foundation
import Testing
@testable import Datasets

/// NPZFile streams numpy.savez archives member by member: the same arrays as NPZ.read, rows in
/// chunks, its CRC-32 checked, and nil (fall back to NPZ.read) for savez_compressed.
@Suite struct NPZFileTests {
    static let expected: [Float] = [1.5, -2, 3.25, 0, 1e-3, -7]

    @Test func streamsNumpysStoredArchiveAndDeclinesTheCompressedOne() throws {
        let file = try #require(try NPZFile.open(path: Fixture.path("stored.npz")))
        #expect(file.contains("a") && file.contains("b") && !file.contains("c"))
        #expect(try file.array("b").storage == .int64(Array(0..<10)))
        #expect(try file.header("a").shape == [2, 3])
        var rows: [(Int, [Float])] = []
        try file.floatRows("a", chunkRows: 1) { rows.append(($0, $1)); return true }
        #expect(rows.map(\.0) == [0, 1] && rows.flatMap(\.1) == Self.expected)
        #expect(try NPZFile.open(path: Fixture.path("deflated.npz")) == nil)
    }

    @Test func float64RowsArriveAsFloat32AndABadChecksumIsCaught() throws {
        let folder = NSTemporaryDirectory() + "betavae-npzfile-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var bytes = NPZ.serialize([(name: "codes", array: NPYArray(shape: [3, 2], storage: .float64([1, 2, 3, 4, 5, 0.5])))])
        let path = folder + "/codes.npz"
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        var values: [Float] = []
        try #require(try NPZFile.open(path: path)).floatRows("codes", chunkRows: 2) { values += $1; return true }
        #expect(values == [1, 2, 3, 4, 5, 0.5])
        // One flipped bit in the last value: the rows arrive, then the CRC-32 refuses them.
        // The member's data: after the .npy magic (0x93), its 10-byte prefix and its header.
        let magic = try #require(bytes.firstIndex(of: 0x93))
        let dataStart = magic + 10 + Int(bytes[magic + 8]) + Int(bytes[magic + 9]) << 8
        #expect(bytes[dataStart + 47] == 0x3F)   // 0.5's sign and exponent byte
        bytes[dataStart + 47] ^= 0x01
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        #expect(throws: DatasetError.self) {
            try #require(try NPZFile.open(path: path)).floatRows("codes", chunkRows: 2) { _, _ in true }
        }
    }
}
