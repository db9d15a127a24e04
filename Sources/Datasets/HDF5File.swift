import CHDF5
import Foundation

/// An HDF5 file open for reading through libhdf5, owned by Swift: closed in `deinit`, every status
/// checked and turned into a `DatasetError` naming the file. libhdf5's own error printing is
/// switched off, so a corrupt or truncated file gives betavae's one line, not a stack dump.
/// libhdf5 (serial build) is not thread-safe, so every call into it holds `HDF5File.lock`.
public final class HDF5File: @unchecked Sendable {
    public let path: String
    private let id: hid_t
    static let lock = NSLock()

    /// What a dataset in the file holds.
    public struct DatasetInfo: Sendable {
        public let name: String
        public let dimensions: [Int]
        /// `H5T_INTEGER` or `H5T_FLOAT` (others are refused by callers).
        public let isInteger: Bool
        public let isFloat: Bool
        public let isSigned: Bool
        public let elementSize: Int
        /// File offset of the raw data for a contiguous, allocated dataset; nil when chunked (or unallocated).
        public let contiguousOffset: Int?
        /// Bytes of one chunk of a chunked dataset (its chunk shape's product times the element
        /// size, saturating), nil otherwise: libhdf5 allocates a chunk's bytes to read any of it.
        public let chunkBytes: Int?
    }

    public init(path: String, hint: String) throws(DatasetError) {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { throw .missing(path: path, hint: hint) }
        guard !isFolder.boolValue else { throw .unreadable(path: path, reason: "it is a folder") }
        HDF5File.lock.lock()
        defer { HDF5File.lock.unlock() }
        betavae_h5_quiet()
        // H5Fis_hdf5 first: a file without the HDF5 signature gets its own message.
        guard H5Fis_hdf5(path) > 0 else { throw .badMagic(path: path, found: "no HDF5 signature", expected: "an HDF5 file (\\x89HDF)") }
        let id = H5Fopen(path, betavae_h5f_acc_rdonly(), betavae_h5p_default())
        // libhdf5 compares the end of file its superblock records with the file's size, so a
        // truncated download fails here.
        guard id >= 0 else { throw .invalidHeader(path: path, reason: "libhdf5 cannot open it; it is truncated or corrupt") }
        self.path = path
        self.id = id
    }

    deinit {
        HDF5File.lock.lock()
        H5Fclose(id)
        HDF5File.lock.unlock()
    }

    /// The shape, type and layout of dataset `name`, or an error naming the file and the dataset.
    public func info(_ name: String) throws(DatasetError) -> DatasetInfo {
        HDF5File.lock.lock()
        defer { HDF5File.lock.unlock() }
        guard H5Lexists(id, name, betavae_h5p_default()) > 0 else {
            throw .invalidHeader(path: path, reason: "it has no dataset '\(name)'")
        }
        let dataset = H5Dopen2(id, name, betavae_h5p_default())
        guard dataset >= 0 else { throw .invalidHeader(path: path, reason: "'\(name)' is not a readable dataset") }
        defer { H5Dclose(dataset) }
        let space = H5Dget_space(dataset), type = H5Dget_type(dataset), plist = H5Dget_create_plist(dataset)
        defer { H5Sclose(space); H5Tclose(type); H5Pclose(plist) }
        guard space >= 0, type >= 0, plist >= 0 else { throw .invalidHeader(path: path, reason: "'\(name)' has an unreadable header") }
        let rank = Int(H5Sget_simple_extent_ndims(space))
        guard (0...8).contains(rank) else { throw .invalidHeader(path: path, reason: "'\(name)' has rank \(rank)") }
        var dims = [hsize_t](repeating: 0, count: rank)
        guard H5Sget_simple_extent_dims(space, &dims, nil) == rank else {
            throw .invalidHeader(path: path, reason: "'\(name)' has an unreadable shape")
        }
        let typeClass = H5Tget_class(type)
        var offset: Int? = nil
        var chunkBytes: Int? = nil
        if H5Pget_layout(plist) == H5D_CHUNKED {
            var chunk = [hsize_t](repeating: 0, count: max(rank, 1))
            let chunkRank = Int(H5Pget_chunk(plist, Int32(rank), &chunk))
            chunkBytes = chunkRank < 1 ? Int.max : chunk.prefix(chunkRank).reduce(Int(H5Tget_size(type))) { total, d in
                let (product, overflow) = total.multipliedReportingOverflow(by: Int(clamping: d))
                return overflow ? Int.max : product
            }
        }
        if H5Pget_layout(plist) == H5D_CONTIGUOUS {
            let address = H5Dget_offset(dataset)
            if address != betavae_haddr_undef() { offset = Int(exactly: address) }
        }
        return DatasetInfo(name: name, dimensions: dims.map { Int(clamping: $0) }, isInteger: typeClass == H5T_INTEGER,
                           isFloat: typeClass == H5T_FLOAT, isSigned: typeClass == H5T_INTEGER && H5Tget_sign(type) == H5T_SGN_2,
                           elementSize: Int(H5Tget_size(type)), contiguousOffset: offset, chunkBytes: chunkBytes)
    }

    /// `count` rows starting at `row` of dataset `name`, converted by libhdf5 to bytes or doubles
    /// (`zero` picks which). Throws when libhdf5 cannot read them (a corrupt chunk, a failed filter).
    public func rows<Element: BinaryFloatingPoint & BitwiseCopyable>(_ name: String, row: Int, count: Int, zero: Element) throws(DatasetError) -> [Element] {
        try read(name, row: row, count: count, zero: zero, type: betavae_h5t_native_double())
    }

    /// `count` rows starting at `row` as bytes.
    public func byteRows(_ name: String, row: Int, count: Int) throws(DatasetError) -> [UInt8] {
        try read(name, row: row, count: count, zero: UInt8(0), type: betavae_h5t_native_uchar())
    }

    private func read<Element: BitwiseCopyable>(_ name: String, row: Int, count: Int, zero: Element, type: hid_t) throws(DatasetError) -> [Element] {
        HDF5File.lock.lock()
        defer { HDF5File.lock.unlock() }
        let dataset = H5Dopen2(id, name, betavae_h5p_default())
        guard dataset >= 0 else { throw .invalidHeader(path: path, reason: "'\(name)' is not a readable dataset") }
        defer { H5Dclose(dataset) }
        let space = H5Dget_space(dataset)
        defer { H5Sclose(space) }
        let rank = Int(H5Sget_simple_extent_ndims(space))
        var dims = [hsize_t](repeating: 0, count: rank)
        H5Sget_simple_extent_dims(space, &dims, nil)
        guard rank >= 1, row >= 0, count >= 1, row <= Int(clamping: dims[0]) - count else {
            throw .invalidHeader(path: path, reason: "rows \(row)..<\(row + count) of '\(name)' are outside it")
        }
        var start = [hsize_t](repeating: 0, count: rank), size = dims
        start[0] = hsize_t(row)
        size[0] = hsize_t(count)
        guard H5Sselect_hyperslab(space, H5S_SELECT_SET, start, nil, size, nil) >= 0 else {
            throw .invalidHeader(path: path, reason: "rows \(row)..<\(row + count) of '\(name)' are outside it")
        }
        let memory = H5Screate_simple(Int32(rank), size, nil)
        defer { H5Sclose(memory) }
        var out = [Element](repeating: zero, count: size.reduce(1) { $0 * Int($1) })
        guard H5Dread(dataset, type, memory, space, betavae_h5p_default(), &out) >= 0 else {
            throw .invalidHeader(path: path, reason: "libhdf5 cannot read rows \(row)..<\(row + count) of '\(name)'; the file is corrupt")
        }
        return out
    }
}
