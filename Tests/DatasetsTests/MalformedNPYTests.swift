import Testing
@testable import Datasets

/// `.npy` headers are untrusted: shapes whose product overflows, byte sizes past the limit and
/// header lengths past the file end in one DatasetError, never in `NPYArray.init`'s precondition.
@Suite struct MalformedNPYTests {
    let path = "memory.npy"
    let limit = DatasetLimits.maximumBytes

    /// A version 1.0 file with the given header fields and data.
    func npy(descr: String = "<f4", shape: String, data: [UInt8] = []) -> [UInt8] {
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        let length = header.utf8.count
        return NPY.magic + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(header.utf8) + data
    }

    /// 2^32 · 2^32 · 2^32 overflows Int: refused, not multiplied.
    @Test func shapeProductOverflowIsRefused() {
        #expect(throws: DatasetError.tooLarge(path: path, declared: "shape (4294967296, 4294967296, 4294967296) of <f4", limit: limit)) {
            try NPY.parse(npy(shape: "(4294967296, 4294967296, 4294967296)"), path: path)
        }
    }

    /// 2^61 elements fit Int, 2^61 · 8 bytes do not.
    @Test func elementSizeOverflowIsRefused() {
        #expect(throws: DatasetError.tooLarge(path: path, declared: "shape (2305843009213693952,) of <f8", limit: limit)) {
            try NPY.parse(npy(descr: "<f8", shape: "(2305843009213693952,)"), path: path)
        }
        // 8 GiB of bytes: no overflow, but past the limit.
        #expect(throws: DatasetError.tooLarge(path: path, declared: "shape (1073741824, 8) of |u1", limit: limit)) {
            try NPY.parse(npy(descr: "|u1", shape: "(1073741824, 8)"), path: path)
        }
    }

    @Test func declaredCountBeyondTheBytesIsTruncated() {
        let bytes = npy(shape: "(1000,)", data: [UInt8](repeating: 0, count: 8))
        #expect(throws: DatasetError.truncated(path: path, expectedBytes: bytes.count - 8 + 4000, actualBytes: bytes.count)) {
            try NPY.parse(bytes, path: path)
        }
    }

    /// A 4 GiB header length (version 2.0) is refused before the header is decoded.
    @Test func hugeHeaderLengthIsRefused() {
        let v2 = NPY.magic + [2, 0, 0xFF, 0xFF, 0xFF, 0xFF] + Array("{}".utf8)
        #expect(throws: DatasetError.malformedNPY(path: path, reason: "header length 4294967295 exceeds 1048576 bytes")) {
            try NPY.parse(v2, path: path)
        }
        let v1 = NPY.magic + [1, 0, 0xFF, 0xFF] + Array("{}".utf8)
        #expect(throws: DatasetError.truncated(path: path, expectedBytes: 10 + 65535, actualBytes: 12)) {
            try NPY.parse(v1, path: path)
        }
        #expect(throws: DatasetError.truncated(path: path, expectedBytes: 12, actualBytes: 11)) {
            try NPY.parse(NPY.magic + [3, 0, 1, 0, 0], path: path)
        }
    }

    @Test func negativeOrUnreadableShapesAreRefused() {
        for shape in ["(-1, 2)", "(99999999999999999999,)", "(2, x)", "[2, 3]", "(" + String(repeating: "1, ", count: 33) + ")"] {
            #expect(throws: DatasetError.malformedNPY(path: path, reason: "header has no valid 'shape'"), "\(shape)") {
                try NPY.parse(npy(shape: shape), path: path)
            }
        }
    }

    /// Zero-sized arrays are valid numpy and parse to no elements.
    @Test func emptyArraysParse() throws {
        #expect(try NPY.parse(npy(shape: "(0, 5)"), path: path) == NPYArray(shape: [0, 5], storage: .float32([])))
        #expect(try NPY.parse(npy(shape: "()", data: [0, 0, 0x80, 0x3F]), path: path) == NPYArray(shape: [], storage: .float32([1])))
    }
}
