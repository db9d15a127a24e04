import Testing
@testable import Datasets

/// Zip (`.npz`) directories are untrusted: zip64 values of 2^63 or more, terabyte sizes,
/// sizes deflate cannot produce and entry counts larger than the directory end in one error.
@Suite struct MalformedZipTests {
    let path = "memory.npz"
    let limit = DatasetLimits.maximumBytes

    func le(_ value: UInt64, _ bytes: Int) -> [UInt8] { (0..<bytes).map { UInt8((value >> (8 * UInt64($0))) & 0xFF) } }

    /// A one-member archive `a.npy` (CRC of `uncompressed`, or of `data`) with the given directory fields; `zip64` values go into a
    /// zip64 extra field (for fields given as 0xFFFFFFFF), `count` overrides the entry count.
    func archive(data: [UInt8], uncompressed: [UInt8]? = nil, method: UInt64 = 0, compressed: UInt64? = nil, size: UInt64? = nil,
                 zip64: [UInt64] = [], count: UInt64 = 1) -> [UInt8] {
        let name = Array("a.npy".utf8)
        let crc = UInt64(Zlib.crc32(uncompressed ?? data))
        let extra = zip64.isEmpty ? [] : le(1, 2) + le(UInt64(8 * zip64.count), 2) + zip64.flatMap { le($0, 8) }
        var out = le(0x0403_4b50, 4) + le(20, 2) + le(0, 2) + le(method, 2) + le(0, 4) + le(crc, 4)
            + le(UInt64(data.count), 4) + le(UInt64(data.count), 4) + le(UInt64(name.count), 2) + le(0, 2) + name + data
        let directoryOffset = out.count
        let directory = le(0x0201_4b50, 4) + le(45, 2) + le(45, 2) + le(0, 2) + le(method, 2) + le(0, 4) + le(crc, 4)
            + le(compressed ?? UInt64(data.count), 4) + le(size ?? UInt64(data.count), 4) + le(UInt64(name.count), 2)
            + le(UInt64(extra.count), 2) + le(0, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(0, 4) + name + extra
        out += directory
        out += le(0x0605_4b50, 4) + le(0, 2) + le(0, 2) + le(count, 2) + le(count, 2)
            + le(UInt64(directory.count), 4) + le(UInt64(directoryOffset), 4) + le(0, 2)
        return out
    }

    let member = NPY.serialize(NPYArray(shape: [2], storage: .float32([1, 2])))

    @Test func wellFormedArchivesParse() throws {
        #expect(try NPZ.parse(archive(data: member), path: path, arrays: ["a"])["a"] == NPYArray(shape: [2], storage: .float32([1, 2])))
        let deflated = Zlib.deflate(member, windowBits: -15)
        let arrays = try NPZ.parse(archive(data: deflated, uncompressed: member, method: 8, size: UInt64(member.count)), path: path, arrays: ["a"])
        #expect(arrays["a"]?.storage == .float32([1, 2]))
    }

    /// zip64 sizes of 2^63 or more would trap `Int(_:)`.
    @Test func zip64NegativeSizeIsRefused() {
        #expect(throws: DatasetError.corruptZip(path: path, reason: "size 18446744073709551615 is out of range")) {
            try NPZ.parse(archive(data: member, size: 0xFFFF_FFFF, zip64: [UInt64.max]), path: path, arrays: ["a"])
        }
        #expect(throws: DatasetError.corruptZip(path: path, reason: "compressed size 9223372036854775808 is out of range")) {
            try NPZ.parse(archive(data: member, compressed: 0xFFFF_FFFF, zip64: [1 << 63]), path: path, arrays: ["a"])
        }
        #expect(throws: DatasetError.corruptZip(path: path, reason: "compressed size 1099511627776 is larger than the file")) {
            try NPZ.parse(archive(data: member, compressed: 0xFFFF_FFFF, zip64: [1 << 40]), path: path, arrays: ["a"])
        }
        #expect(throws: DatasetError.corruptZip(path: path, reason: "member 'a.npy' has a short zip64 field")) {
            try NPZ.parse(archive(data: member, compressed: 0xFFFF_FFFF, size: 0xFFFF_FFFF, zip64: [10]), path: path, arrays: ["a"])
        }
    }

    /// A 1 TB member used to make inflateRaw allocate a terabyte.
    @Test func terabyteSizeIsRefusedBeforeAllocating() {
        let deflated = Zlib.deflate(member, windowBits: -15)
        #expect(throws: DatasetError.tooLarge(path: path, declared: "member 'a.npy' of 1099511627776 bytes", limit: limit)) {
            try NPZ.parse(archive(data: deflated, method: 8, size: 0xFFFF_FFFF, zip64: [1 << 40]), path: path, arrays: ["a"])
        }
    }

    /// Deflate produces at most 1032 bytes per compressed byte; stored members hold their size.
    @Test func sizesMustBePossibleForTheMethod() {
        let deflated = Zlib.deflate(member, windowBits: -15)
        let claimed = UInt64(deflated.count * 1032 + 1)
        #expect(throws: DatasetError.corruptZip(path: path, reason: "member 'a.npy' declares \(claimed) bytes from \(deflated.count) compressed bytes, more than deflate can produce")) {
            try NPZ.parse(archive(data: deflated, method: 8, size: claimed), path: path, arrays: ["a"])
        }
        #expect(throws: DatasetError.corruptZip(path: path, reason: "stored member 'a.npy' declares 5 bytes but holds \(member.count)")) {
            try NPZ.parse(archive(data: member, size: 5), path: path, arrays: ["a"])
        }
        // A deflated member that inflates to more (or less) than declared.
        #expect(throws: DatasetError.corruptZip(path: "\(path) (member a.npy)", reason: "member inflates to more than 10 bytes, expected 10")) {
            try NPZ.parse(archive(data: deflated, method: 8, size: 10), path: path, arrays: ["a"])
        }
        #expect(throws: DatasetError.corruptZip(path: "\(path) (member a.npy)", reason: "member inflates to \(member.count) bytes, expected \(member.count + 1)")) {
            try NPZ.parse(archive(data: deflated, method: 8, size: UInt64(member.count + 1)), path: path, arrays: ["a"])
        }
    }

    /// Each central directory entry takes at least 46 bytes.
    @Test func entryCountLargerThanTheDirectoryIsRefused() {
        #expect(throws: DatasetError.corruptZip(path: path, reason: "1000 entries cannot fit in a central directory of 51 bytes")) {
            try NPZ.parse(archive(data: member, count: 1000), path: path, arrays: ["a"])
        }
    }

    /// zip64 end records with 2^63-sized counts and offsets past the file.
    @Test func zip64EndRecordValuesAreChecked() {
        func zip64(count: UInt64, size: UInt64, offset: UInt64) -> [UInt8] {
            let record = le(0x0606_4b50, 4) + le(44, 8) + le(45, 2) + le(45, 2) + le(0, 4) + le(0, 4) + le(count, 8) + le(count, 8)
                + le(size, 8) + le(offset, 8)
            let locator = le(0x0706_4b50, 4) + le(0, 4) + le(0, 8) + le(1, 4)
            let end = le(0x0605_4b50, 4) + le(0, 2) + le(0, 2) + le(0xFFFF, 2) + le(0xFFFF, 2) + le(0xFFFF_FFFF, 4) + le(0xFFFF_FFFF, 4) + le(0, 2)
            return record + locator + end
        }
        #expect(throws: DatasetError.corruptZip(path: path, reason: "entry count 9223372036854775808 is out of range")) {
            try NPZ.parse(zip64(count: 1 << 63, size: 0, offset: 0), path: path, arrays: ["a"])
        }
        #expect(throws: DatasetError.corruptZip(path: path, reason: "central directory offset 9223372036854775807 is larger than the file")) {
            try NPZ.parse(zip64(count: 0, size: 0, offset: UInt64(Int.max)), path: path, arrays: ["a"])
        }
        #expect(throws: DatasetError.corruptZip(path: path, reason: "central directory past the end")) {
            try NPZ.parse(zip64(count: 0, size: 90, offset: 10), path: path, arrays: ["a"])
        }
    }

    /// `offset + length` would overflow; the check subtracts instead.
    @Test func byteReaderNeverOverflows() {
        var reader = ByteReader(bytes: [1, 2, 3], path: path)
        #expect(throws: DatasetError.corruptZip(path: path, reason: "truncated at byte \(Int.max - 2)")) {
            try reader.u64(Int.max - 2)
        }
        #expect(throws: DatasetError.corruptZip(path: path, reason: "truncated at byte 1")) {
            try reader.slice(1, Int.max)
        }
    }

    /// An overflowing `.npy` shape inside an archive names the member.
    @Test func memberHeadersAreChecked() {
        let header = Array("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }\n".utf8)
        let bad = NPY.magic + [1, 0, UInt8(header.count), 0] + header
        #expect(throws: DatasetError.tooLarge(path: "\(path) (member a.npy)", declared: "shape (4294967296, 4294967296) of <f4", limit: limit)) {
            try NPZ.parse(archive(data: bad), path: path, arrays: ["a"])
        }
    }
}
