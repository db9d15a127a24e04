import CZlib
import Engine

/// A read-only zip archive in memory (PKWARE APPNOTE 6.3): the central directory, zip64 sizes and
/// offsets, stored (method 0) and deflated (method 8) members with their CRC-32 checked.
struct ZipArchive {
    struct Entry {
        let name: String
        let method: Int
        let crc: UInt32
        let compressedSize: Int
        let size: Int
        let localHeaderOffset: Int
    }

    let path: String
    /// The archive's bytes from offset `base` to its end: all of it, or (for an archive read in
    /// place, `NPZMember`) its tail holding the central directory.
    let bytes: [UInt8]
    let base: Int
    let entries: [String: Entry]

    /// Deflate's largest compression ratio (a 258-byte match in about two bits): a member that
    /// claims more is lying, and its size must not be believed when allocating.
    static let maximumDeflateRatio = 1032

    /// Parses the central directory. Every size and offset is untrusted: 64-bit values are
    /// converted with `Int(exactly:)` (a zip64 size of 2^63 or more would trap `Int(_:)`), sums
    /// are compared by subtraction so they cannot overflow, and the entry count must fit in the
    /// directory (each entry takes at least 46 bytes). `bytes` is the whole archive, or its last
    /// bytes when `fileSize` is larger: offsets stay those of the file, and a central directory
    /// that starts before the tail is refused as truncated.
    init(bytes: [UInt8], path: String, fileSize: Int? = nil) throws(DatasetError) {
        let fileSize = fileSize ?? bytes.count
        precondition(fileSize >= bytes.count)
        let base = fileSize - bytes.count
        self.path = path
        self.bytes = bytes
        self.base = base
        var reader = ByteReader(bytes: bytes, path: path, base: base)
        guard let tailEnd = ZipArchive.findEndOfCentralDirectory(bytes) else {
            throw .corruptZip(path: path, reason: "no end-of-central-directory record")
        }
        let end = base + tailEnd
        func int(_ value: UInt64, _ what: String) throws(DatasetError) -> Int {
            guard let converted = Int(exactly: value) else {
                throw .corruptZip(path: path, reason: "\(what) \(value) is out of range")
            }
            guard converted <= fileSize || what == "size" else {
                throw .corruptZip(path: path, reason: "\(what) \(value) is larger than the file")
            }
            return converted
        }
        var count = Int(try reader.u16(end + 10))
        var directorySize = Int(try reader.u32(end + 12))
        var directoryOffset = Int(try reader.u32(end + 16))
        if count == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            // zip64: the locator sits just before the end record and points at the zip64 end record.
            guard end >= 20, try reader.u32(end - 20) == 0x0706_4b50 else { throw .corruptZip(path: path, reason: "zip64 locator missing") }
            let record = try int(try reader.u64(end - 20 + 8), "zip64 end record offset")
            guard try reader.u32(record) == 0x0606_4b50 else { throw .corruptZip(path: path, reason: "zip64 end record missing") }
            count = try int(try reader.u64(record + 32), "entry count")
            directorySize = try int(try reader.u64(record + 40), "central directory size")
            directoryOffset = try int(try reader.u64(record + 48), "central directory offset")
        }
        guard directoryOffset <= fileSize, directorySize <= fileSize - directoryOffset else {
            throw .corruptZip(path: path, reason: "central directory past the end")
        }
        guard count <= directorySize / 46 else {
            throw .corruptZip(path: path, reason: "\(count) entries cannot fit in a central directory of \(directorySize) bytes")
        }
        var entries: [String: Entry] = [:]
        var position = directoryOffset
        for _ in 0..<count {
            guard try reader.u32(position) == 0x0201_4b50 else { throw .corruptZip(path: path, reason: "bad central directory entry") }
            let method = Int(try reader.u16(position + 10))
            let crc = try reader.u32(position + 16)
            var compressed = Int(try reader.u32(position + 20))
            var size = Int(try reader.u32(position + 24))
            let nameLength = Int(try reader.u16(position + 28))
            let extraLength = Int(try reader.u16(position + 30))
            let commentLength = Int(try reader.u16(position + 32))
            var local = Int(try reader.u32(position + 42))
            let name = String(decoding: try reader.slice(position + 46, nameLength), as: UTF8.self)
            // zip64 extended information: the fields that were 0xFFFFFFFF, in this order.
            var extra = position + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = try reader.u16(extra), length = Int(try reader.u16(extra + 2))
                if id == 0x0001 {
                    var field = extra + 4
                    func next(_ what: String) throws(DatasetError) -> Int {
                        guard field + 8 <= extra + 4 + length else {
                            throw .corruptZip(path: path, reason: "member '\(name)' has a short zip64 field")
                        }
                        defer { field += 8 }
                        return try int(try reader.u64(field), what)
                    }
                    if size == 0xFFFF_FFFF { size = try next("size") }
                    if compressed == 0xFFFF_FFFF { compressed = try next("compressed size") }
                    if local == 0xFFFF_FFFF { local = try next("local header offset") }
                }
                extra += 4 + length
            }
            entries[name] = Entry(name: name, method: method, crc: crc, compressedSize: compressed, size: size, localHeaderOffset: local)
            position = extraEnd + commentLength
        }
        self.entries = entries
    }

    /// The uncompressed bytes of member `name`. Its declared size is checked before anything is
    /// allocated: at most `DatasetLimits.maximumBytes`, equal to the stored size for method 0,
    /// and at most `maximumDeflateRatio` times the compressed size for method 8.
    func data(_ name: String) throws(DatasetError) -> [UInt8] {
        let (entry, raw) = try located(name)
        let data: [UInt8]
        switch entry.method {
        case 0: data = Array(raw)
        default: data = try Zlib.inflateRaw(raw, expectedSize: entry.size, path: "\(path) (member \(name))")
        }
        guard data.count == entry.size, Zlib.crc32(data) == entry.crc else {
            throw .corruptZip(path: path, reason: "member '\(name)' fails its CRC-32 check")
        }
        return data
    }

    /// The uncompressed bytes of member `name` handed to `body` piece by piece (at most 1 MiB each,
    /// through one buffer), for a member too large to hold twice; the same checks as `data(_:)`,
    /// the CRC-32 over every piece. `body` may see pieces of a member that then fails its check:
    /// the caller discards what it built when this throws.
    func stream(_ name: String, into body: (UnsafeBufferPointer<UInt8>) throws(DatasetError) -> Void) throws(DatasetError) {
        let (entry, raw) = try located(name)
        var crc = CZlib.crc32(0, nil, 0)
        func take(_ piece: UnsafeBufferPointer<UInt8>) throws(DatasetError) {
            crc = CZlib.crc32(crc, piece.baseAddress, uInt(piece.count))
            try body(piece)
        }
        switch entry.method {
        case 0:
            var offset = raw.startIndex
            while offset < raw.endIndex {
                let end = min(offset + (1 << 20), raw.endIndex)
                try raw[offset..<end].withUnsafeBufferPointer { (piece) throws(DatasetError) in try take(piece) }
                offset = end
            }
        default:
            try Zlib.inflateRaw(raw, expectedSize: entry.size, path: "\(path) (member \(name))", into: take)
        }
        guard UInt32(truncatingIfNeeded: crc) == entry.crc else {
            throw .corruptZip(path: path, reason: "member '\(name)' fails its CRC-32 check")
        }
    }

    /// Member `name`'s entry and its compressed bytes, validated: a local header where the directory
    /// says, the bytes inside the archive, a declared size within `DatasetLimits.maximumBytes`, a
    /// method this reader knows (0 stored, 8 deflate) and a size deflate can produce from them.
    private func located(_ name: String) throws(DatasetError) -> (Entry, ArraySlice<UInt8>) {
        precondition(base == 0, "member data needs the whole archive in memory")
        guard let entry = entries[name] else { throw .zipMemberMissing(path: path, member: name) }
        var reader = ByteReader(bytes: bytes, path: path)
        guard try reader.u32(entry.localHeaderOffset) == 0x0403_4b50 else {
            throw .corruptZip(path: path, reason: "member '\(name)' has no local header")
        }
        let start = entry.localHeaderOffset + 30 + Int(try reader.u16(entry.localHeaderOffset + 26))
            + Int(try reader.u16(entry.localHeaderOffset + 28))
        guard start <= bytes.count, entry.compressedSize <= bytes.count - start else {
            throw .corruptZip(path: path, reason: "member '\(name)' runs past the end of the file")
        }
        guard entry.size <= DatasetLimits.maximumBytes else {
            throw .tooLarge(path: path, declared: "member '\(name)' of \(entry.size) bytes", limit: DatasetLimits.maximumBytes)
        }
        switch entry.method {
        case 0:
            guard entry.size == entry.compressedSize else {
                throw .corruptZip(path: path, reason: "stored member '\(name)' declares \(entry.size) bytes but holds \(entry.compressedSize)")
            }
        case 8:
            guard entry.size <= entry.compressedSize * ZipArchive.maximumDeflateRatio else {
                throw .corruptZip(path: path, reason: "member '\(name)' declares \(entry.size) bytes from \(entry.compressedSize) "
                                  + "compressed bytes, more than deflate can produce")
            }
        default: throw .corruptZip(path: path, reason: "member '\(name)' uses unsupported compression method \(entry.method)")
        }
        return (entry, bytes[start..<(start + entry.compressedSize)])
    }

    private static func findEndOfCentralDirectory(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 22 else { return nil }
        let lowest = max(0, bytes.count - 22 - 65_535)
        for position in stride(from: bytes.count - 22, through: lowest, by: -1)
        where bytes[position] == 0x50 && bytes[position + 1] == 0x4b && bytes[position + 2] == 5 && bytes[position + 3] == 6 {
            return position
        }
        return nil
    }

    /// The bytes of a zip archive holding `members` in order, stored (uncompressed, as `numpy.savez` writes) or
    /// `deflated` (method 8, as `numpy.savez_compressed` and the official dSprites file are).
    static func archiveBytes(_ members: [(name: String, data: [UInt8])], deflated: Bool = false) -> [UInt8] {
        var out = [UInt8]()
        var directory = [UInt8]()
        func u16(_ v: Int, _ a: inout [UInt8]) { a += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        func u32(_ v: Int, _ a: inout [UInt8]) { for i in 0..<4 { a.append(UInt8((v >> (8 * i)) & 0xFF)) } }
        for (name, data) in members {
            precondition(data.count < 0xFFFF_FFFF && out.count < 0xFFFF_FFFF, "npz writer does not write zip64")
            let nameBytes = Array(name.utf8)
            let crc = Int(Zlib.crc32(data))
            let offset = out.count
            let stored = deflated ? Zlib.deflate(data, windowBits: -15) : data
            let method = deflated ? 8 : 0
            u32(0x0403_4b50, &out); u16(20, &out); u16(0, &out); u16(method, &out); u16(0, &out); u16(0x21, &out)
            u32(crc, &out); u32(stored.count, &out); u32(data.count, &out); u16(nameBytes.count, &out); u16(0, &out)
            out += nameBytes
            out += stored
            u32(0x0201_4b50, &directory); u16(20, &directory); u16(20, &directory); u16(0, &directory); u16(method, &directory)
            u16(0, &directory); u16(0x21, &directory); u32(crc, &directory); u32(stored.count, &directory); u32(data.count, &directory)
            u16(nameBytes.count, &directory); u16(0, &directory); u16(0, &directory); u16(0, &directory); u16(0, &directory)
            u32(0, &directory); u32(offset, &directory)
            directory += nameBytes
        }
        let directoryOffset = out.count
        out += directory
        u32(0x0605_4b50, &out); u16(0, &out); u16(0, &out); u16(members.count, &out); u16(members.count, &out)
        u32(directory.count, &out); u32(directoryOffset, &out); u16(0, &out)
        return out
    }
}

/// Bounds-checked little-endian reads that throw instead of trapping on a truncated file.
/// `bytes` holds the file from offset `base` on; offsets given to the reads are the file's.
struct ByteReader {
    let bytes: [UInt8]
    let path: String
    var base = 0

    /// The index in `bytes` of file offset `offset`, after checking `length` bytes are there.
    func check(_ offset: Int, _ length: Int) throws(DatasetError) -> Int {
        // `length <= count - at`, not `at + length <= count`: the sum could overflow.
        let at = offset &- base
        guard offset >= base, length >= 0, at <= bytes.count, length <= bytes.count - at else {
            throw .corruptZip(path: path, reason: "truncated at byte \(offset)")
        }
        return at
    }
    mutating func u16(_ offset: Int) throws(DatasetError) -> UInt16 {
        let at = try check(offset, 2)
        return UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
    }
    mutating func u32(_ offset: Int) throws(DatasetError) -> UInt32 {
        let at = try check(offset, 4)
        return (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << (8 * UInt32($1)) }
    }
    mutating func u64(_ offset: Int) throws(DatasetError) -> UInt64 {
        let at = try check(offset, 8)
        return (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << (8 * UInt64($1)) }
    }
    mutating func slice(_ offset: Int, _ length: Int) throws(DatasetError) -> ArraySlice<UInt8> {
        let at = try check(offset, length)
        return bytes[at..<(at + length)]
    }
}

/// numpy's `.npz`: a zip archive of `.npy` members (stored or deflated).
public enum NPZ {
    /// Reads the named arrays (`name` without `.npy`) from the archive at `path`.
    public static func read(path: String, arrays names: [String]) throws(DatasetError) -> [String: NPYArray] {
        try parse(try readFile(path), path: path, arrays: names)
    }

    /// Parses the named arrays out of the bytes of an `.npz`, naming `path` (and the member) in
    /// errors; every size in the archive and in each `.npy` header is validated before use.
    public static func parse(_ bytes: [UInt8], path: String, arrays names: [String]) throws(DatasetError) -> [String: NPYArray] {
        let archive = try ZipArchive(bytes: bytes, path: path)
        var arrays: [String: NPYArray] = [:]
        for name in names {
            arrays[name] = try NPY.parse(try archive.data(name + ".npy"), path: "\(path) (member \(name).npy)")
        }
        return arrays
    }

    /// Names of the arrays in the archive at `path`.
    public static func arrayNames(path: String) throws(DatasetError) -> [String] {
        let archive = try ZipArchive(bytes: try readFile(path), path: path)
        return archive.entries.keys.filter { $0.hasSuffix(".npy") }.map { String($0.dropLast(4)) }.sorted()
    }

    /// The bytes of an uncompressed `.npz` holding `arrays` (as `numpy.savez` writes).
    public static func serialize(_ arrays: [(name: String, array: NPYArray)]) -> [UInt8] {
        ZipArchive.archiveBytes(arrays.map { ($0.name + ".npy", NPY.serialize($0.array)) })
    }

    /// Writes an uncompressed `.npz` atomically.
    public static func write(_ arrays: [(name: String, array: NPYArray)], to path: String) throws(FileError) {
        try AtomicFile.write(serialize(arrays), to: path)
    }
}
