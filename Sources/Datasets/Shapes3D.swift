/// Shapes3D (Burgess & Kim 2018, deepmind/3d-shapes): `3dshapes.h5`, HDF5 with `images`
/// [480000, 64, 64, 3] uint8 and `labels` [480000, 6] float64, in the order of the factor grid
/// below (last factor fastest), read with libhdf5. A contiguous `images` dataset (as h5py writes
/// by default) is read in place by file offset (`FileGridSource`); a chunked one image by image
/// through libhdf5 (`HDF5GridSource`). Either way the 5.9 GB of pixels stay on disk.
public enum Shapes3D {
    public static let names = ["floor_hue", "wall_hue", "object_hue", "scale", "shape", "orientation"]
    public static let sizes = [10, 10, 10, 8, 4, 15]
    public static let count = sizes.reduce(1, *)
    /// The object's shape labels the images.
    public static let labelFactor = 4
    public static let fileName = "3dshapes.h5"
    public static let hint = "Download it from https://storage.googleapis.com/3d-shapes/3dshapes.h5 (deepmind/3d-shapes) into --data-dir."

    /// The source at `path`, after checking both datasets' types and shapes and reading each
    /// factor's values from `labels` (finite numbers, as the file gives them).
    public static func source(path: String) throws(DatasetError) -> any GroundTruthSource {
        let file = try HDF5File(path: path, hint: hint)
        let images = try file.info("images"), labels = try file.info("labels")
        guard images.isInteger, !images.isSigned, images.elementSize == 1, images.dimensions == [count, 64, 64, 3] else {
            throw .invalidHeader(path: path, reason: "'images' is \(describe(images)); Shapes3D's is uint8 [\(count), 64, 64, 3]")
        }
        guard labels.isFloat || labels.isInteger, labels.dimensions == [count, 6] else {
            throw .invalidHeader(path: path, reason: "'labels' is \(describe(labels)); Shapes3D's is float64 [\(count), 6]")
        }
        // Each factor's values: the label row of the grid position with that class and every other at 0.
        var values = [[Float]]()
        for f in 0..<6 {
            var column = [Float]()
            for c in 0..<sizes[f] {
                var classes = [Int](repeating: 0, count: 6)
                classes[f] = c
                let row = try file.rows("labels", row: FactorGrid.index(of: classes, sizes: sizes), count: 1, zero: 0.0)
                guard row[f].isFinite else {
                    throw .invalidValue(path: path, reason: "labels[\(FactorGrid.index(of: classes, sizes: sizes)), \(f)] is \(row[f]), not a finite number")
                }
                column.append(Float(row[f]))
            }
            values.append(column)
        }
        let table = FactorTable(names: names, sizes: sizes, values: values)
        if let offset = images.contiguousOffset {
            let pixels = try PixelFile(path: path, hint: hint)
            let bytes = count * 64 * 64 * 3
            guard offset <= pixels.size, bytes <= pixels.size - offset else {
                throw .truncated(path: path, expectedBytes: offset + bytes, actualBytes: pixels.size)
            }
            return FileGridSource(file: pixels, offset: offset, factors: table, imageShape: [3, 64, 64], labelFactor: labelFactor)
        }
        // libhdf5 allocates a whole chunk to read any of it: a chunk size from a corrupt header
        // would be believed, so chunks above 64 MiB (h5py's largest automatic chunk is 1 MiB) are refused.
        guard let chunkBytes = images.chunkBytes else {
            throw .invalidHeader(path: path, reason: "'images' is neither contiguous nor chunked (a compact or unallocated dataset)")
        }
        guard chunkBytes <= 1 << 26 else {
            throw .invalidHeader(path: path, reason: "'images' is chunked in chunks of \(chunkBytes) bytes; at most 67,108,864 are read")
        }
        // Chunked (or compressed): read one image now, so a file whose chunks are missing or
        // corrupt fails here rather than in the middle of training.
        _ = try file.byteRows("images", row: count - 1, count: 1)
        return HDF5GridSource(file: file, dataset: "images", factors: table, imageShape: [3, 64, 64], labelFactor: labelFactor)
    }

    static func describe(_ info: HDF5File.DatasetInfo) -> String {
        let kind = info.isFloat ? "float\(info.elementSize * 8)" : info.isInteger ? (info.isSigned ? "int" : "uint") + "\(info.elementSize * 8)" : "a non-numeric type"
        return "\(kind) \(info.dimensions)"
    }
}

/// A ground-truth source whose images, one per grid position in H·W·C uint8, are read image by
/// image through libhdf5 (chunked or compressed datasets, which have no single file offset).
public struct HDF5GridSource: GroundTruthSource {
    public let file: HDF5File
    public let dataset: String
    public let factors: FactorTable
    public let imageShape: [Int]
    public let labelFactor: Int

    public var count: Int { factors.sizes.reduce(1, *) }
    public func classes(of image: Int) -> [Int] { FactorGrid.classes(of: image, sizes: factors.sizes) }
    public func image(showing classes: [Int], draw: UInt64) -> Int { FactorGrid.index(of: classes, sizes: factors.sizes) }

    /// A chunk that fails to read after the file was opened and probed is a file changed or
    /// damaged while in use: a precondition, as for `PixelFile.read`.
    public func write(image: Int, into pixels: UnsafeMutableBufferPointer<Float>) {
        let size = imageShape.reduce(1, *)
        let bytes: [UInt8]
        do { bytes = try file.byteRows(dataset, row: image, count: 1) } catch { preconditionFailure("\(error)") }
        precondition(bytes.count == size)
        bytes.withUnsafeBytes { PixelLayout.planes(fromInterleaved: $0, channels: imageShape[0], into: pixels) }
    }
}
