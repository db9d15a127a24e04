import CHDF5
import CMatio
import Foundation
@testable import Datasets

/// Writers of the benchmarks' real formats, used by the tests to make their own files: HDF5 and
/// MATLAB through the C libraries betavae reads them with, zip/npy and NYU matrices by hand.
/// Files of the real size are sparse: a real header, the data region made by ftruncate(2), and
/// only the images a test checks written with pwrite(2).
enum BenchmarkFiles {
    static func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
    static func le16(_ v: Int) -> [UInt8] { (0..<2).map { UInt8((v >> (8 * $0)) & 0xFF) } }
    static func le64(_ v: Int) -> [UInt8] { (0..<8).map { UInt8((v >> (8 * $0)) & 0xFF) } }

    /// Writes `bytes` at `offset` of `path` (created if missing), keeping the rest.
    static func pwrite(_ bytes: [UInt8], at offset: Int, _ path: String) {
        let fd = open(path, O_WRONLY | O_CREAT, 0o644)
        precondition(fd >= 0)
        _ = bytes.withUnsafeBytes { Foundation.pwrite(fd, $0.baseAddress, $0.count, off_t(offset)) }
        close(fd)
    }

    static func truncate(_ path: String, to size: Int) {
        precondition(Foundation.truncate(path, off_t(size)) == 0)
    }

    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? -1
    }

    /// An `.npz` as `numpy.savez` writes one large member: a zip64 stored member `NAME.npy` whose
    /// `.npy` header declares `descr` and `shape`, its data sparse, then the central directory
    /// and the zip64 end records. `images` are (flat byte offset in the data, bytes) to write.
    /// Returns the file offset of the data.
    @discardableResult
    static func npz(_ path: String, member: String = "images", descr: String = "|u1", shape: [Int],
                    images: [(Int, [UInt8])] = [], method: Int = 0) -> Int {
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(NPY.shapeText(shape)), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        let npyHeader = NPY.magic + [1, 0] + le16(header.utf8.count) + Array(header.utf8)
        let dataBytes = shape.reduce(1, *) * (descr.hasSuffix("u1") ? 1 : 8)
        let size = npyHeader.count + dataBytes
        let name = Array((member + ".npy").utf8)
        let zip64Extra = le16(1) + le16(16) + le64(size) + le64(size)
        let local = le32(0x0403_4b50) + le16(45) + le16(0) + le16(method) + le16(0) + le16(0x21) + le32(0)
            + le32(0xFFFF_FFFF) + le32(0xFFFF_FFFF) + le16(name.count) + le16(zip64Extra.count) + name + zip64Extra
        Fixture.write(local + npyHeader, path)
        let dataOffset = local.count + npyHeader.count
        for (offset, bytes) in images { pwrite(bytes, at: dataOffset + offset, path) }
        let directoryOffset = local.count + size
        truncate(path, to: directoryOffset)
        let central = le32(0x0201_4b50) + le16(45) + le16(45) + le16(0) + le16(method) + le16(0) + le16(0x21) + le32(0)
            + le32(0xFFFF_FFFF) + le32(0xFFFF_FFFF) + le16(name.count) + le16(zip64Extra.count) + le16(0) + le16(0) + le16(0)
            + le32(0) + le32(0) + name + zip64Extra
        let end64Offset = directoryOffset + central.count
        let end64 = le32(0x0606_4b50) + le64(44) + le16(45) + le16(45) + le32(0) + le32(0) + le64(1) + le64(1)
            + le64(central.count) + le64(directoryOffset)
        let locator = le32(0x0706_4b50) + le32(0) + le64(end64Offset) + le32(1)
        let end = le32(0x0605_4b50) + le16(0) + le16(0) + le16(0xFFFF) + le16(0xFFFF) + le32(0xFFFF_FFFF) + le32(0xFFFF_FFFF) + le16(0)
        pwrite(central + end64 + locator + end, at: directoryOffset, path)
        return dataOffset
    }

    /// An NYU binary matrix: magic, rank, max(3, rank) int32 dimensions (unused ones 1), data.
    static func nyuHeader(magic: Int, dimensions: [Int]) -> [UInt8] {
        le32(magic) + le32(dimensions.count) + (0..<max(3, dimensions.count)).flatMap { le32($0 < dimensions.count ? dimensions[$0] : 1) }
    }

    static func nyuInts(_ values: [Int], dimensions: [Int]) -> [UInt8] {
        nyuHeader(magic: 0x1E3D_4C54, dimensions: dimensions) + values.flatMap(le32)
    }

    /// An HDF5 file with `images` (uint8, `imageDims`) and `labels` (float64 [N, 6]) written
    /// through libhdf5: contiguous (late allocation, no fill, so unwritten pixels stay sparse) or
    /// chunked one image per chunk. `images` are (row, H·W·C bytes) to write; `labels` all rows.
    static func hdf5(_ path: String, imageDims: [Int], chunked: Bool, images: [(Int, [UInt8])], labels: [Double]?,
                     labelDims: [Int]? = nil) {
        betavae_h5_quiet()
        let file = H5Fcreate(path, betavae_h5f_acc_trunc(), betavae_h5p_default(), betavae_h5p_default())
        precondition(file >= 0)
        let dims = imageDims.map { hsize_t($0) }
        let space = H5Screate_simple(Int32(dims.count), dims, nil)
        let plist = H5Pcreate(betavae_h5p_dataset_create())
        H5Pset_fill_time(plist, H5D_FILL_TIME_NEVER)
        if chunked {
            var chunk = dims
            chunk[0] = 1
            H5Pset_chunk(plist, Int32(chunk.count), chunk)
        }
        let dataset = H5Dcreate2(file, "images", betavae_h5t_std_u8le(), space, betavae_h5p_default(), plist, betavae_h5p_default())
        precondition(dataset >= 0)
        for (row, bytes) in images {
            var start = [hsize_t](repeating: 0, count: dims.count), count = dims
            start[0] = hsize_t(row)
            count[0] = 1
            let fileSpace = H5Dget_space(dataset)
            H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, start, nil, count, nil)
            let memory = H5Screate_simple(Int32(count.count), count, nil)
            precondition(H5Dwrite(dataset, betavae_h5t_native_uchar(), memory, fileSpace, betavae_h5p_default(), bytes) >= 0)
            H5Sclose(memory)
            H5Sclose(fileSpace)
        }
        H5Dclose(dataset)
        H5Pclose(plist)
        H5Sclose(space)
        if let labels {
            let ldims = (labelDims ?? [labels.count / 6, 6]).map { hsize_t($0) }
            let lspace = H5Screate_simple(Int32(ldims.count), ldims, nil)
            let ldata = H5Dcreate2(file, "labels", betavae_h5t_ieee_f64le(), lspace, betavae_h5p_default(), betavae_h5p_default(), betavae_h5p_default())
            precondition(H5Dwrite(ldata, betavae_h5t_native_double(), betavae_h5s_all(), betavae_h5s_all(), betavae_h5p_default(), labels) >= 0)
            H5Dclose(ldata)
            H5Sclose(lspace)
        }
        H5Fclose(file)
    }

    /// A MATLAB v5 file holding one uint8 variable `name` of `dims` (column-major `data`), via libmatio.
    static func mat(_ path: String, name: String = "im", dims: [Int], data: [UInt8]) {
        guard let mat = Mat_CreateVer(path, nil, MAT_FT_MAT5) else { preconditionFailure("libmatio cannot create \(path)") }
        var sizes = dims.map { Int($0) }
        var copy = data
        copy.withUnsafeMutableBytes { raw in
            let variable = Mat_VarCreate(name, MAT_C_UINT8, MAT_T_UINT8, Int32(dims.count), &sizes, raw.baseAddress, Int32(MAT_F_DONT_COPY_DATA.rawValue))
            precondition(variable != nil)
            precondition(Mat_VarWrite(mat, variable, MAT_COMPRESSION_NONE) == 0)
            Mat_VarFree(variable)
        }
        Mat_Close(mat)
    }
}
