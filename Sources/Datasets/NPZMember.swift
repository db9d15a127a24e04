/// An uncompressed `.npy` member of an `.npz` found in place, without reading the archive:
/// `numpy.savez` stores members (zip method 0), so an array's bytes sit contiguously in the file
/// and can be read by position (MPI3D's 12.7 GB `images`). Only the archive's tail (its central
/// directory), the member's local header and the `.npy` header are read; every offset and size is
/// checked against the file's size before use.
public struct NPZMember {
    public let file: PixelFile
    public let header: NPY.Header
    /// File offset of the array's first data byte.
    public let dataOffset: Int

    /// Largest tail read to find the central directory: the end record's comment (≤ 65,535
    /// bytes), the zip64 records and a directory of a few hundred members.
    static let tailBytes = 1 << 20
    /// Largest `.npy` header read: numpy writes at most a few hundred bytes.
    static let headerBytes = 1 << 16

    /// Locates array `name` (without `.npy`) in the archive at `path`, an uncompressed member
    /// whose `.npy` header declares at most `limit` bytes, all of which the file holds.
    public init(path: String, array name: String, hint: String, limit: Int) throws(DatasetError) {
        let file = try PixelFile(path: path, hint: hint)
        let tail = try file.bytes(at: max(0, file.size - NPZMember.tailBytes), count: min(file.size, NPZMember.tailBytes))
        let archive = try ZipArchive(bytes: tail, path: path, fileSize: file.size)
        let member = name + ".npy"
        guard let entry = archive.entries[member] else { throw .zipMemberMissing(path: path, member: member) }
        guard entry.method == 0, entry.size == entry.compressedSize else {
            throw .corruptZip(path: path, reason: "member '\(member)' is compressed (method \(entry.method)); "
                              + "save it with numpy.savez, not savez_compressed, so it can be read in place")
        }
        let local = try file.bytes(at: entry.localHeaderOffset, count: 30)
        var reader = ByteReader(bytes: local, path: path, base: entry.localHeaderOffset)
        guard try reader.u32(entry.localHeaderOffset) == 0x0403_4b50 else {
            throw .corruptZip(path: path, reason: "member '\(member)' has no local header")
        }
        let start = entry.localHeaderOffset + 30 + Int(try reader.u16(entry.localHeaderOffset + 26))
            + Int(try reader.u16(entry.localHeaderOffset + 28))
        guard start <= file.size, entry.size <= file.size - start else {
            throw .truncated(path: path, expectedBytes: start &+ entry.size, actualBytes: file.size)
        }
        let memberPath = "\(path) (member \(member))"
        let header = try NPY.header(try file.bytes(at: start, count: min(entry.size, NPZMember.headerBytes)), path: memberPath, limit: limit)
        guard header.byteCount <= entry.size - header.dataStart else {
            throw .truncated(path: memberPath, expectedBytes: header.dataStart + header.byteCount, actualBytes: entry.size)
        }
        self.file = file
        self.header = header
        self.dataOffset = start + header.dataStart
    }
}
