import Foundation

/// One tensor of a safetensors file: its dtype, shape and little-endian bytes.
public struct SafetensorsTensor: Sendable {
    public let name: String
    public let dtype: SafetensorsDType
    public let shape: [Int]
    public let bytes: ArraySlice<UInt8>

    /// The values converted to Float32 (F32 as stored; F64, F16, BF16 and integer types converted),
    /// as a tensor of the stored shape.
    public func floatTensor() -> Tensor? {
        let count = shape.reduce(1, *)
        var values = [Float](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            for i in 0..<count {
                let offset = i * dtype.size
                switch dtype {
                case .f32: values[i] = Float(bitPattern: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian)
                case .f64: values[i] = Float(Double(bitPattern: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian))
                case .f16: values[i] = Float(Float16(bitPattern: raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self).littleEndian))
                case .bf16: values[i] = Float(bitPattern: UInt32(raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self).littleEndian) << 16)
                case .i64: values[i] = Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int64.self)))
                case .i32: values[i] = Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)))
                case .u8, .bool: values[i] = Float(raw[offset])
                case .i8: values[i] = Float(Int8(bitPattern: raw[offset]))
                default: break
                }
            }
        }
        switch dtype {
        case .f32, .f64, .f16, .bf16, .i64, .i32, .u8, .bool, .i8:
            return Tensor(shape: shape, scalars: values)
        default:
            return nil
        }
    }
}

/// A parsed safetensors file. The reader follows the format exactly and rejects anything else:
/// 8-byte little-endian header length N (≤ 100,000,000), N bytes of UTF-8 JSON mapping each tensor
/// name to `{dtype, shape, data_offsets: [begin, end]}` (offsets relative to the data start) plus
/// an optional `__metadata__` string map, then the tensors' bytes, contiguous and in full.
public struct SafetensorsFile: Sendable {
    /// The file the tensors came from (used in error messages).
    public let path: String
    /// The `__metadata__` map (string to string).
    public let metadata: [String: String]
    /// Tensors by name.
    public let tensors: [String: SafetensorsTensor]

    /// Names in the order of their bytes in the file.
    public var names: [String] {
        tensors.values.sorted { $0.bytes.startIndex < $1.bytes.startIndex }.map(\.name)
    }

    /// Reads and validates the file at `path`.
    public static func read(path: String) throws(SafetensorsError) -> SafetensorsFile {
        let bytes: [UInt8]
        do { bytes = try AtomicFile.read(path) } catch { throw .unreadable(path: path, reason: error.reason) }
        return try parse(bytes, path: path)
    }

    /// Only the `__metadata__` of the file at `path`, reading its header and not its tensors (a
    /// checkpoint's epoch and step are asked for before, or instead of, loading its weights).
    /// The header is checked as `parse` checks it; the tensors are checked when the file is read.
    public static func metadata(path: String) throws(SafetensorsError) -> [String: String] {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .unreadable(path: path, reason: "cannot open it") }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()).map(Int.init) ?? 0
        try? handle.seek(toOffset: 0)
        let prefix = [UInt8]((try? handle.read(upToCount: 8)) ?? Data())
        guard prefix.count == 8 else { throw .fileTooShort(path: path, size: size) }
        let headerLength = (0..<8).reduce(UInt64(0)) { $0 | UInt64(prefix[$1]) << (8 * UInt64($1)) }
        guard headerLength <= 100_000_000 else { throw .headerTooLarge(path: path, length: headerLength) }
        guard 8 + Int(headerLength) <= size else { throw .headerPastEnd(path: path, length: headerLength, fileSize: size) }
        let headerBytes = [UInt8]((try? handle.read(upToCount: Int(headerLength))) ?? Data())
        guard headerBytes.count == Int(headerLength) else { throw .headerPastEnd(path: path, length: headerLength, fileSize: size) }
        return try header(headerBytes, path: path).metadata
    }

    /// The header's members (tensor entries and `__metadata__`) and its metadata, checked: UTF-8,
    /// strict JSON without duplicate keys, a top-level object, metadata mapping strings to strings.
    private static func header(_ headerBytes: [UInt8], path: String) throws(SafetensorsError)
        -> (members: [(key: String, value: JSONValue)], metadata: [String: String]) {
        guard String(validating: headerBytes, as: UTF8.self) != nil else { throw .headerNotUTF8(path: path) }
        let header: JSONValue
        do { header = try StrictJSON.parse(headerBytes) } catch {
            if let name = error.duplicateKey { throw .duplicateTensor(path: path, tensor: name) }
            throw .headerNotJSON(path: path, reason: error.message)
        }
        guard case .object(let members) = header else { throw .headerNotJSON(path: path, reason: "top level is not an object") }
        var metadata: [String: String] = [:]
        for (name, value) in members where name == "__metadata__" {
            guard case .object(let pairs) = value else { throw .malformedEntry(path: path, tensor: name, reason: "must map strings to strings") }
            for (key, item) in pairs {
                guard case .string(let text) = item else { throw .malformedEntry(path: path, tensor: name, reason: "value of '\(key)' is not a string") }
                metadata[key] = text
            }
        }
        return (members, metadata)
    }

    /// Validates and parses `bytes`, naming `path` in errors.
    public static func parse(_ bytes: [UInt8], path: String) throws(SafetensorsError) -> SafetensorsFile {
        guard bytes.count >= 8 else { throw .fileTooShort(path: path, size: bytes.count) }
        var headerLength: UInt64 = 0
        for i in 0..<8 { headerLength |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard headerLength <= 100_000_000 else { throw .headerTooLarge(path: path, length: headerLength) }
        guard 8 + Int(headerLength) <= bytes.count else {
            throw .headerPastEnd(path: path, length: headerLength, fileSize: bytes.count)
        }
        let (members, metadata) = try header(Array(bytes[8..<(8 + Int(headerLength))]), path: path)
        let dataStart = 8 + Int(headerLength)
        let dataLength = bytes.count - dataStart
        var entries: [(name: String, dtype: SafetensorsDType, shape: [Int], begin: Int, end: Int)] = []
        for (name, value) in members where name != "__metadata__" {
            entries.append(try entry(name: name, value: value, path: path))
        }

        var tensors: [String: SafetensorsTensor] = [:]
        var cursor = 0
        for item in entries.sorted(by: { ($0.begin, $0.end) < ($1.begin, $1.end) }) {
            guard let expected = SizeProduct.of(item.shape, unit: item.dtype.size) else {
                throw .malformedEntry(path: path, tensor: item.name, reason: "shape \(item.shape) has more elements than any file can hold")
            }
            guard item.end - item.begin == expected else {
                throw .byteSizeMismatch(path: path, tensor: item.name, expected: expected, actual: item.end - item.begin)
            }
            guard item.end <= dataLength else { throw .offsetsPastEnd(path: path, tensor: item.name) }
            if item.begin < cursor { throw .offsetsOverlap(path: path, tensor: item.name) }
            if item.begin > cursor { throw .offsetsGap(path: path, tensor: item.name) }
            cursor = item.end
            tensors[item.name] = SafetensorsTensor(name: item.name, dtype: item.dtype, shape: item.shape,
                                                   bytes: bytes[(dataStart + item.begin)..<(dataStart + item.end)])
        }
        guard cursor == dataLength else { throw .trailingBytes(path: path, count: dataLength - cursor) }
        return SafetensorsFile(path: path, metadata: metadata, tensors: tensors)
    }

    private static func entry(name: String, value: JSONValue, path: String) throws(SafetensorsError)
        -> (name: String, dtype: SafetensorsDType, shape: [Int], begin: Int, end: Int) {
        guard case .object(let fields) = value else { throw .malformedEntry(path: path, tensor: name, reason: "entry is not an object") }
        func field(_ key: String) -> JSONValue? { fields.first { $0.key == key }?.value }
        guard case .string(let dtypeName)? = field("dtype") else { throw .malformedEntry(path: path, tensor: name, reason: "missing 'dtype'") }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else { throw .unknownDType(path: path, tensor: name, dtype: dtypeName) }
        guard case .array(let dims)? = field("shape") else { throw .malformedEntry(path: path, tensor: name, reason: "missing 'shape'") }
        guard case .array(let offsets)? = field("data_offsets"), offsets.count == 2 else {
            throw .malformedEntry(path: path, tensor: name, reason: "'data_offsets' must be [begin, end]")
        }
        func count(_ v: JSONValue) -> Int? {
            guard case .number(let x) = v, x >= 0, x == x.rounded(), x < 1e15 else { return nil }
            return Int(x)
        }
        let shape = dims.compactMap(count)
        guard shape.count == dims.count else { throw .malformedEntry(path: path, tensor: name, reason: "shape must be non-negative integers") }
        guard let begin = count(offsets[0]), let end = count(offsets[1]), begin <= end else {
            throw .malformedEntry(path: path, tensor: name, reason: "data_offsets must be integers with begin ≤ end")
        }
        return (name, dtype, shape, begin, end)
    }

    /// The named tensor as Float32, throwing when it is missing (or not numeric).
    public func tensor(_ name: String) throws(SafetensorsError) -> Tensor {
        guard let entry = tensors[name] else { throw .missingTensor(path: path, tensor: name) }
        guard let tensor = entry.floatTensor() else { throw .unknownDType(path: path, tensor: name, dtype: entry.dtype.rawValue) }
        return tensor
    }

    /// The named tensor, checked against the shape the caller expects.
    public func tensor(_ name: String, shape: [Int]) throws(SafetensorsError) -> Tensor {
        let value = try tensor(name)
        guard value.shape == shape else { throw .shapeMismatch(path: path, tensor: name, expected: shape, actual: value.shape) }
        return value
    }
}

/// Writes safetensors files that `safetensors.torch.load_file` and `safetensors.numpy.load_file`
/// read: F32 tensors in the given order, `__metadata__` with `"format": "pt"`, the header padded
/// with spaces so the data starts on an 8-byte boundary.
public enum SafetensorsWriter {
    /// The file's bytes for `tensors` (names must be unique) and extra string `metadata`.
    public static func serialize(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:]) -> [UInt8] {
        precondition(Set(tensors.map(\.name)).count == tensors.count, "duplicate tensor names")
        var meta = metadata
        meta["format"] = "pt"
        var members: [(key: String, value: JSONValue)] = [
            ("__metadata__", .object(meta.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })),
        ]
        var offset = 0
        for (name, tensor) in tensors {
            let size = tensor.count * 4
            members.append((name, .object([
                ("dtype", .string("F32")),
                ("shape", .array(tensor.shape.map { .number(Double($0)) })),
                ("data_offsets", .array([.number(Double(offset)), .number(Double(offset + size))])),
            ])))
            offset += size
        }
        var header = Array(JSONValue.object(members).serialized.utf8)
        while (8 + header.count) % 8 != 0 { header.append(0x20) }
        var bytes = [UInt8]()
        bytes.reserveCapacity(8 + header.count + offset)
        let length = UInt64(header.count)
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: length >> (8 * UInt64(i)))) }
        bytes.append(contentsOf: header)
        for (_, tensor) in tensors {
            tensor.scalars.withUnsafeBytes { raw in
                // Float32 is stored little-endian on every platform Swift runs on here.
                bytes.append(contentsOf: raw)
            }
        }
        return bytes
    }

    /// Writes the file atomically (temporary name, then rename).
    public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:],
                             to path: String) throws(FileError) {
        try AtomicFile.write(serialize(tensors, metadata: metadata), to: path)
    }
}
