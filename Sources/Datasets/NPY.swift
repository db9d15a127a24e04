import Foundation
import Engine

/// A numpy array as read from or written to `.npy`: a shape and typed little-endian data.
public struct NPYArray: Equatable, Sendable {
    /// The element data; the supported dtypes are u1, i8, f4 and f8 (little-endian, C order).
    public enum Storage: Equatable, Sendable {
        case uint8([UInt8])
        case int64([Int64])
        case float32([Float])
        case float64([Double])

        var descr: String {
            switch self {
            case .uint8: return "|u1"
            case .int64: return "<i8"
            case .float32: return "<f4"
            case .float64: return "<f8"
            }
        }

        var count: Int {
            switch self {
            case .uint8(let a): return a.count
            case .int64(let a): return a.count
            case .float32(let a): return a.count
            case .float64(let a): return a.count
            }
        }
    }

    public let shape: [Int]
    public let storage: Storage

    public init(shape: [Int], storage: Storage) {
        precondition(shape.reduce(1, *) == storage.count, "NPY shape \(shape) does not match \(storage.count) elements")
        self.shape = shape
        self.storage = storage
    }

    /// The values as Float (converted from any stored type).
    public var floats: [Float] {
        switch storage {
        case .uint8(let a): return a.map { Float($0) }
        case .int64(let a): return a.map { Float($0) }
        case .float32(let a): return a
        case .float64(let a): return a.map { Float($0) }
        }
    }
}

/// The `.npy` format, versions 1.0, 2.0 and 3.0 (numpy/lib/format.py): magic `\x93NUMPY`, major
/// and minor version, a little-endian header length (2 bytes in 1.0, 4 in 2.0/3.0), a Python dict
/// literal `{'descr': ..., 'fortran_order': ..., 'shape': (...), }` padded so data is 64-byte aligned.
public enum NPY {
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// What a `.npy` header declares: the dtype, the shape, where the data starts and its size.
    /// `header` reads it from the header's bytes only, so a reader can check a large member's
    /// shape before reading its data (`NPZFile`).
    public struct Header: Sendable {
        public let descr: String
        public let elementSize: Int
        public let shape: [Int]
        /// Offset of the first data byte from the start of the `.npy` bytes.
        public let dataStart: Int
        /// Bytes of data the shape implies.
        public let byteCount: Int
        /// Elements the shape implies.
        public var count: Int { byteCount / elementSize }
    }

    /// Parses a `.npy` header from the first bytes of an array (at least up to its data), naming
    /// `path` in errors. The header is untrusted: its length is capped
    /// (`DatasetLimits.maximumNPYHeader`), the shape's element count and byte size are multiplied
    /// with overflow checks and capped at `limit` bytes.
    public static func header(_ bytes: [UInt8], path: String, limit: Int = DatasetLimits.maximumBytes) throws(DatasetError) -> Header {
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
            throw .badMagic(path: path, found: bytes.prefix(6).map { String(format: "%02x", $0) }.joined(), expected: "\\x93NUMPY")
        }
        let major = bytes[6]
        let (lengthSize, headerLength): (Int, Int)
        switch major {
        case 1: (lengthSize, headerLength) = (2, Int(bytes[8]) | Int(bytes[9]) << 8)
        case 2, 3:
            guard bytes.count >= 12 else { throw .truncated(path: path, expectedBytes: 12, actualBytes: bytes.count) }
            (lengthSize, headerLength) = (4, (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) })
        default: throw .malformedNPY(path: path, reason: "unknown format version \(major)")
        }
        guard headerLength <= DatasetLimits.maximumNPYHeader else {
            throw .malformedNPY(path: path, reason: "header length \(headerLength) exceeds \(DatasetLimits.maximumNPYHeader) bytes")
        }
        let dataStart = 8 + lengthSize + headerLength
        guard bytes.count >= dataStart else { throw .truncated(path: path, expectedBytes: dataStart, actualBytes: bytes.count) }
        let header = String(decoding: bytes[(8 + lengthSize)..<dataStart], as: UTF8.self)
        guard let descr = field("descr", in: header).flatMap(quoted) else {
            throw .malformedNPY(path: path, reason: "header has no 'descr'")
        }
        guard let fortran = field("fortran_order", in: header) else { throw .malformedNPY(path: path, reason: "header has no 'fortran_order'") }
        if fortran.hasPrefix("True") { throw .fortranOrder(path: path) }
        guard let shapeText = field("shape", in: header), let shape = tuple(shapeText) else {
            throw .malformedNPY(path: path, reason: "header has no valid 'shape'")
        }
        let elementSize: Int
        switch descr {
        case "|u1", "<u1": elementSize = 1
        case "<i8": elementSize = 8
        case "<f4": elementSize = 4
        case "<f8": elementSize = 8
        default: throw .unsupportedDType(path: path, descr: descr)
        }
        guard let byteCount = SizeProduct.of(shape, unit: elementSize, limit: limit) else {
            throw .tooLarge(path: path, declared: "shape \(NPY.shapeText(shape)) of \(descr)", limit: limit)
        }
        return Header(descr: descr, elementSize: elementSize, shape: shape, dataStart: dataStart, byteCount: byteCount)
    }

    /// Parses a `.npy` file's bytes, naming `path` in errors: the header (see `header`), then the
    /// data, which must be present in `bytes` before anything is allocated, so `NPYArray.init`'s
    /// precondition holds.
    public static func parse(_ bytes: [UInt8], path: String) throws(DatasetError) -> NPYArray {
        let h = try header(bytes, path: path)
        let (descr, elementSize, shape, dataStart, byteCount) = (h.descr, h.elementSize, h.shape, h.dataStart, h.byteCount)
        let count = byteCount / elementSize
        guard bytes.count - dataStart >= byteCount else {
            throw .truncated(path: path, expectedBytes: dataStart + byteCount, actualBytes: bytes.count)
        }
        let data = bytes[dataStart..<(dataStart + byteCount)]
        // The stored array beside the file's bytes (f8 and i8 also pass through a word array; f4 goes
        // straight into the floats, so a 1.6 GB code array, `betavae score`'s limit, is not held twice).
        try DatasetLimits.reserve(elementSize == 8 ? 2 * byteCount : byteCount, for: "its array of shape \(NPY.shapeText(shape))", path: path)
        let storage: NPYArray.Storage
        switch elementSize {
        case 1: storage = .uint8(Array(data))
        case 4: storage = .float32(loadFloats(data, count))
        default:
            let words = load(data, count, as: UInt64.self).map { UInt64(littleEndian: $0) }
            storage = descr == "<i8" ? .int64(words.map { Int64(bitPattern: $0) }) : .float64(words.map { Double(bitPattern: $0) })
        }
        return NPYArray(shape: shape, storage: storage)
    }

    /// Serialises `array` as `.npy` version 1.0 (2.0 when the header needs more than 65,535 bytes).
    public static func serialize(_ array: NPYArray) -> [UInt8] {
        var header = "{'descr': '\(array.storage.descr)', 'fortran_order': False, 'shape': \(shapeText(array.shape)), }"
        let version: UInt8 = header.utf8.count + 11 > 65_535 ? 2 : 1
        let prefix = version == 1 ? 10 : 12
        while (prefix + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        let length = header.utf8.count
        var bytes = magic + [version, 0]
        let lengthBytes = version == 1 ? 2 : 4
        for i in 0..<lengthBytes { bytes.append(UInt8(truncatingIfNeeded: length >> (8 * i))) }
        bytes += Array(header.utf8)
        switch array.storage {
        case .uint8(let a): bytes += a
        case .int64(let a): a.withUnsafeBytes { bytes += $0 }
        case .float32(let a): a.withUnsafeBytes { bytes += $0 }
        case .float64(let a): a.withUnsafeBytes { bytes += $0 }
        }
        return bytes
    }

    /// A shape as Python writes the tuple: `(3,)`, `(2, 3)`, `()`.
    static func shapeText(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }

    /// `count` little-endian float32 values from `data`, decoded into their final array.
    static func loadFloats(_ data: ArraySlice<UInt8>, _ count: Int) -> [Float] {
        var out = [Float](repeating: 0, count: count)
        data.withUnsafeBytes { raw in
            out.withUnsafeMutableBufferPointer { floats in
                for i in 0..<count {
                    floats[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
                }
            }
        }
        return out
    }

    private static func load<T: FixedWidthInteger>(_ data: ArraySlice<UInt8>, _ count: Int, as: T.Type) -> [T] {
        var out = [T](repeating: 0, count: count)
        data.withUnsafeBytes { raw in
            for i in 0..<count { out[i] = raw.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self) }
        }
        return out
    }

    /// The text after `'key':` up to the next top-level comma (or the closing brace).
    private static func field(_ key: String, in header: String) -> String? {
        guard let range = header.range(of: "'\(key)':") else { return nil }
        var depth = 0
        var value = ""
        for character in header[range.upperBound...] {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if depth == 0 && (character == "," || character == "}") { break }
            value.append(character)
        }
        return value.trimmingCharacters(in: .whitespaces)
    }

    private static func quoted(_ text: String) -> String? {
        guard text.count >= 2, let first = text.first, first == "'" || first == "\"", text.last == first else { return nil }
        return String(text.dropFirst().dropLast())
    }

    private static func tuple(_ text: String) -> [Int]? {
        guard text.hasPrefix("("), text.hasSuffix(")") else { return nil }
        let parts = text.dropFirst().dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let values = parts.compactMap { Int($0) }
        // At most 32 dimensions, as numpy allows.
        return values.count == parts.count && values.count <= 32 && values.allSatisfy({ $0 >= 0 }) ? values : nil
    }
}
