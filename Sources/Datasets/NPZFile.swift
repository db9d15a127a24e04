import CZlib
import Foundation

/// An uncompressed `.npz` (what `numpy.savez` writes) read from the file member by member, without
/// loading the file: `betavae score` reads a 1.6 GB code array in row chunks and keeps only the rows
/// it uses. Walks the local file headers from the start of the file (numpy writes each member's
/// sizes into its local header, zip64 fields included). `open` returns nil for an archive this
/// reader does not stream — a compressed member, a data descriptor (sizes after the data) or an
/// unexpected record — and the caller falls back to `NPZ.read`, which parses the central directory.
/// Every size is checked against the file's size before use; each member's CRC-32 is checked over
/// all of its bytes.
public final class NPZFile {
    public let path: String
    let handle: FileHandle
    let fileSize: Int
    struct Member {
        let start: Int
        let size: Int
        let crc: UInt32
    }
    let members: [String: Member]

    private init(path: String, handle: FileHandle, fileSize: Int, members: [String: Member]) {
        self.path = path
        self.handle = handle
        self.fileSize = fileSize
        self.members = members
    }

    deinit { try? handle.close() }

    /// The archive at `path` if every member is stored with its sizes in its local header; nil otherwise.
    public static func open(path: String) throws(DatasetError) -> NPZFile? {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { throw .missing(path: path, hint: "Check the path.") }
        guard !isFolder.boolValue, let handle = FileHandle(forReadingAtPath: path) else {
            throw .unreadable(path: path, reason: isFolder.boolValue ? "it is a folder" : "permission denied")
        }
        let fileSize: Int
        do { fileSize = Int(try handle.seekToEnd()) } catch { throw .unreadable(path: path, reason: "\(error)") }
        func read(_ offset: Int, _ count: Int) throws(DatasetError) -> [UInt8] {
            guard offset >= 0, count >= 0, offset <= fileSize, count <= fileSize - offset else {
                throw .corruptZip(path: path, reason: "truncated at byte \(offset)")
            }
            do {
                try handle.seek(toOffset: UInt64(offset))
                let data = try handle.read(upToCount: count) ?? Data()
                guard data.count == count else { throw DatasetError.corruptZip(path: path, reason: "truncated at byte \(offset)") }
                return [UInt8](data)
            } catch let error as DatasetError { throw error } catch { throw .unreadable(path: path, reason: "\(error)") }
        }
        func u16(_ b: [UInt8], _ o: Int) -> Int { Int(b[o]) | Int(b[o + 1]) << 8 }
        func u32(_ b: [UInt8], _ o: Int) -> UInt32 { (0..<4).reduce(UInt32(0)) { $0 | UInt32(b[o + $1]) << (8 * UInt32($1)) } }
        func u64(_ b: [UInt8], _ o: Int) -> UInt64 { (0..<8).reduce(UInt64(0)) { $0 | UInt64(b[o + $1]) << (8 * UInt64($1)) } }
        var members: [String: Member] = [:]
        var offset = 0
        while offset + 4 <= fileSize {
            let signature = u32(try read(offset, 4), 0)
            if signature == 0x0201_4b50 || signature == 0x0605_4b50 { break }   // the central directory: every member seen
            guard signature == 0x0403_4b50, offset + 30 <= fileSize else { return nil }
            let header = try read(offset, 30)
            let flags = u16(header, 6), method = u16(header, 8), crc = u32(header, 14)
            var compressed = UInt64(u32(header, 18)), size = UInt64(u32(header, 22))
            let nameLength = u16(header, 26), extraLength = u16(header, 28)
            guard flags & 0x8 == 0, method == 0 else { return nil }
            let tail = try read(offset + 30, nameLength + extraLength)
            let name = String(decoding: tail[0..<nameLength], as: UTF8.self)
            // zip64 extended information in a local header: original size, then compressed size.
            var extra = nameLength
            while extra + 4 <= tail.count {
                let id = u16(tail, extra), length = u16(tail, extra + 2)
                if id == 0x0001, extra + 4 + length <= tail.count {
                    var field = extra + 4
                    if size == 0xFFFF_FFFF, field + 8 <= extra + 4 + length { size = u64(tail, field); field += 8 }
                    if compressed == 0xFFFF_FFFF, field + 8 <= extra + 4 + length { compressed = u64(tail, field) }
                }
                extra += 4 + length
            }
            let start = offset + 30 + nameLength + extraLength
            guard size == compressed, let length = Int(exactly: size), start <= fileSize, length <= fileSize - start else {
                throw .corruptZip(path: path, reason: "member '\(name)' runs past the end of the file")
            }
            members[name] = Member(start: start, size: length, crc: crc)
            offset = start + length
        }
        return NPZFile(path: path, handle: handle, fileSize: fileSize, members: members)
    }

    /// Whether the archive holds `name` (without `.npy`).
    public func contains(_ name: String) -> Bool { members[name + ".npy"] != nil }

    func member(_ name: String) throws(DatasetError) -> Member {
        guard let member = members[name + ".npy"] else { throw .zipMemberMissing(path: path, member: name + ".npy") }
        return member
    }

    func read(_ offset: Int, _ count: Int) throws(DatasetError) -> [UInt8] {
        do {
            try handle.seek(toOffset: UInt64(offset))
            let data = try handle.read(upToCount: count) ?? Data()
            guard data.count == count else { throw DatasetError.corruptZip(path: path, reason: "truncated at byte \(offset)") }
            return [UInt8](data)
        } catch let error as DatasetError { throw error } catch { throw .unreadable(path: path, reason: "\(error)") }
    }

    /// A whole (small) member, CRC-checked and parsed.
    public func array(_ name: String) throws(DatasetError) -> NPYArray {
        let member = try member(name)
        guard member.size <= DatasetLimits.maximumBytes else {
            throw .tooLarge(path: path, declared: "member '\(name).npy' of \(member.size) bytes", limit: DatasetLimits.maximumBytes)
        }
        let bytes = try read(member.start, member.size)
        guard Zlib.crc32(bytes) == member.crc else { throw .corruptZip(path: path, reason: "member '\(name).npy' fails its CRC-32 check") }
        return try NPY.parse(bytes, path: "\(path) (member \(name).npy)")
    }

    /// Member `name`'s bytes (its `.npy` header, then its data) handed to `body` 1 MiB at a time,
    /// the CRC-32 checked after the last piece: `body` discards what it built when this throws.
    public func stream(_ name: String, into body: (UnsafeBufferPointer<UInt8>) throws(DatasetError) -> Void) throws(DatasetError) {
        let member = try member(name)
        var crc = CZlib.crc32(0, nil, 0)
        var offset = 0
        while offset < member.size {
            let piece = try read(member.start + offset, min(1 << 20, member.size - offset))
            crc = piece.withUnsafeBufferPointer { CZlib.crc32(crc, $0.baseAddress, uInt($0.count)) }
            try piece.withUnsafeBufferPointer { (piece) throws(DatasetError) in try body(piece) }
            offset += piece.count
        }
        guard UInt32(truncatingIfNeeded: crc) == member.crc else {
            throw .corruptZip(path: path, reason: "member '\(name).npy' fails its CRC-32 check")
        }
    }

    /// The header of member `name` (its dtype and shape), read without its data.
    public func header(_ name: String) throws(DatasetError) -> NPY.Header {
        let member = try member(name)
        let bytes = try read(member.start, min(member.size, 12 + DatasetLimits.maximumNPYHeader))
        let header = try NPY.header(bytes, path: "\(path) (member \(name).npy)")
        guard header.byteCount == member.size - header.dataStart else {
            throw .truncated(path: "\(path) (member \(name).npy)", expectedBytes: header.dataStart + header.byteCount, actualBytes: member.size)
        }
        return header
    }

    /// The rows of a float (`<f4` or `<f8`) member of shape `[N, Z]`, `chunkRows` at a time, as
    /// float32: `body(firstRow, values)` gets `rows × Z` values row after row and returns whether to
    /// go on (false stops reading, unchecked: the caller has found the data invalid). The member's
    /// CRC-32 is checked after the last chunk, so a caller must not act on the rows before this returns.
    public func floatRows(_ name: String, chunkRows: Int, _ body: (Int, [Float]) -> Bool) throws(DatasetError) {
        let member = try member(name)
        let header = try header(name)
        guard header.shape.count == 2, header.descr == "<f4" || header.descr == "<f8" else {
            throw .malformedNPY(path: "\(path) (member \(name).npy)", reason: "expected a float array [N, Z], found \(header.descr) \(header.shape)")
        }
        let (n, z, width) = (header.shape[0], header.shape[1], header.elementSize)
        var crc = CZlib.crc32(0, nil, 0)
        let prefix = try read(member.start, header.dataStart)
        crc = prefix.withUnsafeBufferPointer { CZlib.crc32(crc, $0.baseAddress, uInt($0.count)) }
        let step = max(1, chunkRows)
        var row = 0
        while row < n {
            let rows = min(step, n - row)
            let bytes = try read(member.start + header.dataStart + row * z * width, rows * z * width)
            crc = bytes.withUnsafeBufferPointer { CZlib.crc32(crc, $0.baseAddress, uInt($0.count)) }
            let values: [Float]
            if width == 4 {
                values = NPY.loadFloats(bytes[...], rows * z)
            } else {
                values = bytes.withUnsafeBytes { raw in
                    (0..<(rows * z)).map { Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self)))) }
                }
            }
            guard body(row, values) else { return }
            row += rows
        }
        guard UInt32(truncatingIfNeeded: crc) == member.crc else {
            throw .corruptZip(path: path, reason: "member '\(name).npy' fails its CRC-32 check")
        }
    }
}
