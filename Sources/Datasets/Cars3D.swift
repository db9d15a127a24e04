import CMatio
import Foundation

/// Cars3D (Reed et al. 2015, "Deep Visual Analogy-Making"): a folder of `car_NNN_mesh.mat`
/// files, MATLAB v5, each holding `im` [128, 128, 3, 24, 4] uint8 — one car rendered at 24
/// azimuths and 4 elevations — read with libmatio. As disentanglement_lib uses it: resized to
/// 64×64, factors elevation (4), azimuth (24) and object (one class per file, 183 in the
/// release), images in that grid order, kept in memory (216 MB for the full set).
public enum Cars3D {
    public static let names = ["elevation", "azimuth", "object"]
    public static let hint = "Download nips2015-analogy-data.tar.gz from http://www.scottreed.info (Deep Visual Analogy-Making) and give its data/cars folder as --data-dir."
    /// The object labels the images.
    public static let labelFactor = 2
    /// Side after resizing.
    public static let side = 64

    /// The `car_*_mesh.mat` files of `folder`, sorted by name (so an object's class is the same everywhere).
    public static func files(folder: String) throws(DatasetError) -> [String] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw .missing(path: folder, hint: hint)
        }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasPrefix("car_") && $0.hasSuffix("_mesh.mat") }.sorted()
        guard !names.isEmpty else { throw .missing(path: folder + "/car_*_mesh.mat", hint: hint) }
        return names.map { folder + "/" + $0 }
    }

    /// Every car of `folder`, each file's `im` checked (uint8, [S, S, 3, 24, 4] with the same S ≥ 64
    /// in every file) before its data is read, then resized into grid order.
    public static func source(folder: String) throws(DatasetError) -> MemoryGridSource {
        let paths = try files(folder: folder)
        let objects = paths.count
        let plane = side * side
        var pixels = [UInt8](repeating: 0, count: 4 * 24 * objects * 3 * plane)
        var fileSide: Int? = nil
        for (object, path) in paths.enumerated() {
            let image = try MatFile(path: path).uint8Variable("im", rank: 5, check: { dims in
                guard dims[0] == dims[1], dims[0] >= side, dims[0] <= 4096, dims[2] == 3, dims[3] == 24, dims[4] == 4 else {
                    return "its shape is \(dims); Cars3D's is [128, 128, 3, 24, 4]"
                }
                if let fileSide, fileSide != dims[0] { return "its images are \(dims[0])×\(dims[0]) but the other files' are \(fileSide)×\(fileSide)" }
                return nil
            })
            let s = image.dimensions[0]
            fileSide = s
            // MATLAB's column-major order: element (h, w, c, azimuth, elevation) sits at
            // h + S·(w + S·(c + 3·(azimuth + 24·elevation))); each (c, view) is one S×S plane, transposed.
            var view = [UInt8](repeating: 0, count: 3 * s * s)
            for elevation in 0..<4 {
                for azimuth in 0..<24 {
                    image.bytes.withUnsafeBufferPointer { data in
                        for c in 0..<3 {
                            let base = s * s * (c + 3 * (azimuth + 24 * elevation))
                            for h in 0..<s { for w in 0..<s { view[c * s * s + h * s + w] = data[base + h + s * w] } }
                        }
                    }
                    let small = view.withUnsafeBufferPointer { AreaResize.planes($0, planes: 3, height: s, width: s, side: side) }
                    let at = FactorGrid.index(of: [elevation, azimuth, object], sizes: [4, 24, objects]) * 3 * plane
                    pixels.replaceSubrange(at..<(at + 3 * plane), with: small)
                }
            }
        }
        let sizes = [4, 24, objects]
        let table = FactorTable(names: names, sizes: sizes, values: sizes.map { (0..<$0).map(Float.init) })
        return MemoryGridSource(pixels: pixels, factors: table, imageShape: [3, side, side], labelFactor: labelFactor)
    }
}

/// A MATLAB .mat file open for reading through libmatio, closed in `deinit`. libmatio's own
/// log messages are silenced: betavae reports one line naming the file instead.
public final class MatFile {
    public let path: String
    private let mat: OpaquePointer

    /// A variable's dimensions and its bytes (column-major, as MATLAB stores them).
    public struct Variable {
        public let dimensions: [Int]
        public let bytes: [UInt8]
    }

    public init(path: String) throws(DatasetError) {
        try MatFile.checkElements(path: path)
        Mat_LogInitFunc("betavae") { _, _ in }
        guard let mat = Mat_Open(path, Int32(MAT_ACC_RDONLY.rawValue)) else {
            throw .invalidHeader(path: path, reason: "libmatio cannot open it as a MATLAB .mat file")
        }
        self.path = path
        self.mat = mat
    }

    deinit { Mat_Close(mat) }

    /// Checks the file's top-level structure before libmatio reads it: a 128-byte header whose
    /// endian indicator is `MI` or `IM`, then data elements whose tags (type, byte count) each fit
    /// in the file. libmatio reads a truncated uncompressed variable without complaint and leaves
    /// the missing bytes as they were, so a cut download would silently train on garbage; this
    /// check (MATLAB's "MAT-File Format", level 5) turns it into one error naming the file.
    static func checkElements(path: String) throws(DatasetError) {
        let file = try PixelFile(path: path, hint: Cars3D.hint)
        let header = try file.bytes(at: 0, count: min(file.size, 128))
        guard header.count == 128, header[126] == UInt8(ascii: "I") && header[127] == UInt8(ascii: "M")
                || header[126] == UInt8(ascii: "M") && header[127] == UInt8(ascii: "I") else {
            throw .badMagic(path: path, found: "no MATLAB 5 header", expected: "a MATLAB v5 .mat file")
        }
        let little = header[126] == UInt8(ascii: "I")
        func u32(_ b: [UInt8], _ at: Int) -> Int {
            let bytes = little ? Array(b[at..<(at + 4)]) : Array(b[at..<(at + 4)].reversed())
            return bytes.enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        }
        var offset = 128
        while offset < file.size {
            let tag = try file.bytes(at: offset, count: min(8, file.size - offset))
            guard tag.count == 8 else { throw .truncated(path: path, expectedBytes: offset + 8, actualBytes: file.size) }
            let type = u32(tag, 0), count = u32(tag, 4)
            // miMATRIX (14) is padded to 8 bytes; miCOMPRESSED (15) is not.
            let padded = type == 14 ? (count + 7) / 8 * 8 : count
            guard padded <= file.size - offset - 8 || (type != 14 && count <= file.size - offset - 8) else {
                throw .truncated(path: path, expectedBytes: offset + 8 + padded, actualBytes: file.size)
            }
            offset += 8 + min(padded, file.size - offset - 8)
        }
    }

    /// The uint8 variable `name` of rank `rank`, its dimensions passed to `check` (a reason to
    /// refuse them, or nil) before its data is read, so a lying header allocates nothing.
    public func uint8Variable(_ name: String, rank: Int, check: ([Int]) -> String?) throws(DatasetError) -> Variable {
        guard let info = Mat_VarReadInfo(mat, name) else {
            throw .invalidHeader(path: path, reason: "it has no variable '\(name)'")
        }
        let rankRead = Int(info.pointee.rank)
        let dims = (0...32).contains(rankRead) && info.pointee.dims != nil ? (0..<rankRead).map { Int(clamping: info.pointee.dims[$0]) } : []
        let classType = info.pointee.class_type
        Mat_VarFree(info)
        guard classType == MAT_C_UINT8, dims.count == rank else {
            throw .invalidHeader(path: path, reason: "'\(name)' is class \(classType.rawValue) of rank \(dims.count); expected uint8 of rank \(rank)")
        }
        if let problem = check(dims) { throw .invalidHeader(path: path, reason: "'\(name)': \(problem)") }
        guard let variable = Mat_VarRead(mat, name) else {
            throw .invalidHeader(path: path, reason: "libmatio cannot read '\(name)'; the file is truncated or corrupt")
        }
        defer { Mat_VarFree(variable) }
        let count = dims.reduce(1, *)
        guard let data = variable.pointee.data, variable.pointee.nbytes == count, variable.pointee.class_type == MAT_C_UINT8 else {
            throw .invalidHeader(path: path, reason: "'\(name)' holds \(variable.pointee.nbytes) bytes of data, not \(count); the file is truncated or corrupt")
        }
        return Variable(dimensions: dims, bytes: Array(UnsafeBufferPointer(start: data.assumingMemoryBound(to: UInt8.self), count: count)))
    }
}
