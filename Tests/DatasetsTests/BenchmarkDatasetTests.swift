import Foundation
import Testing
@testable import Datasets

/// The benchmark readers on files the tests write in each real format.
@Suite struct BenchmarkDatasetTests {
    func options(_ folder: String) -> DatasetOptions { DatasetOptions(dataDirectory: folder, testLimit: 100) }

    /// One image's pixels in H·W·C order: channel c of pixel (y, x) is (seed + 3y + 5x + 7c) mod 256.
    static func pattern(_ seed: Int) -> [UInt8] {
        (0..<(64 * 64 * 3)).map { i in UInt8((seed + 3 * (i / (64 * 3)) + 5 * ((i / 3) % 64) + 7 * (i % 3)) % 256) }
    }

    /// Whether `pixels` (C·H·W floats) are `pattern(seed)` moved to channel planes.
    static func matches(_ pixels: [Float], _ seed: Int) -> Bool {
        let hwc = pattern(seed)
        return (0..<3).allSatisfy { c in (0..<64).allSatisfy { y in (0..<64).allSatisfy { x in
            abs(pixels[c * 4096 + y * 64 + x] - Float(hwc[(y * 64 + x) * 3 + c]) / 255) < 1e-6
        } } }
    }

    static func image(_ set: any ImageSet, _ index: Int) -> [Float] { set.batch([index]).scalars }

    // MARK: MPI3D

    /// A sparse `mpi3d_real.npz` of the real size (12.7 GB declared, a few kB on disk): the image at
    /// a known grid position comes back as written, in channel planes, with its factor classes; the
    /// train set draws any combination from the whole file.
    @Test func mpi3dReadsImagesInPlaceAtTheirGridPosition() throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let classes = [5, 3, 1, 2, 0, 39, 7]
        let at = FactorGrid.index(of: classes, sizes: MPI3D.sizes)
        BenchmarkFiles.npz(folder + "/mpi3d_real.npz", shape: [1_036_800, 64, 64, 3],
                           images: [(at * 12288, Self.pattern(11)), (0, Self.pattern(99))])
        #expect(BenchmarkFiles.fileSize(folder + "/mpi3d_real.npz") > 12_000_000_000)
        let data = try DatasetCatalog.load("mpi3d-real", options: options(folder))
        #expect(data.imageShape == [3, 64, 64])
        #expect(data.train.count == 1_036_800 - 100 && data.test.count == 100)
        #expect(data.train.factors?.sizes == [6, 6, 2, 3, 3, 40, 40])
        #expect(data.defaultLikelihood == "gaussian")
        let generator = try #require(data.train as? any FactorImageGenerator)
        let drawn = generator.images(classes: [classes, [0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 1]])
        #expect(drawn.factorClasses(0) == classes && drawn.label(0) == 3)
        let (first, second, third) = (Self.matches(Self.image(drawn, 0), 11), Self.matches(Self.image(drawn, 1), 99), Self.image(drawn, 2).allSatisfy { $0 == 0 })
        #expect(first && second && third)
        // Train and test are disjoint and together cover the file.
        let train = try #require(data.train as? GroundTruthImageSet), test = try #require(data.test as? GroundTruthImageSet)
        #expect(Set(train.positions).isDisjoint(with: test.positions))
    }

    @Test func mpi3dRefusesWrongShapesCompressionAndTruncation() throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/mpi3d_toy.npz"
        BenchmarkFiles.npz(path, shape: [1000, 64, 64, 3])
        #expect(throws: DatasetError.invalidHeader(path: path, reason: "member images.npy is |u1 (1000, 64, 64, 3); MPI3D's is |u1 (1036800, 64, 64, 3)")) {
            try DatasetCatalog.load("mpi3d-toy", options: options(folder))
        }
        BenchmarkFiles.npz(path, shape: [1000, 64, 64, 3], method: 8)
        let compressed = Fixture.error { _ = try DatasetCatalog.load("mpi3d-toy", options: options(folder)) }
        #expect(compressed?.description.contains("is compressed (method 8)") == true)
        BenchmarkFiles.npz(path, member: "pixels", shape: [10, 64, 64, 3])
        #expect(throws: DatasetError.zipMemberMissing(path: path, member: "images.npy")) {
            try DatasetCatalog.load("mpi3d-toy", options: options(folder))
        }
        // Cut in the middle of the data: the end records are gone.
        BenchmarkFiles.npz(path, shape: [1_036_800, 64, 64, 3])
        BenchmarkFiles.truncate(path, to: 5_000_000_000)
        #expect(Fixture.error { _ = try DatasetCatalog.load("mpi3d-toy", options: options(folder)) } != nil)
        try FileManager.default.removeItem(atPath: path)
        #expect(throws: DatasetError.missing(path: path, hint: MPI3D.hint)) { try DatasetCatalog.load("mpi3d-toy", options: options(folder)) }
    }

    // MARK: Shapes3D

    /// Shapes3D's grid labels as the file holds them: hues k/10, scale 0.75 + k/14, shape k, orientation −30 + 60k/14.
    static func shapes3dLabels() -> [Double] {
        var labels = [Double](repeating: 0, count: Shapes3D.count * 6)
        labels.withUnsafeMutableBufferPointer { out in
            var i = 0
            for a in 0..<10 { for b in 0..<10 { for c in 0..<10 { for s in 0..<8 { for h in 0..<4 { for o in 0..<15 {
                out[i] = Double(a) / 10; out[i + 1] = Double(b) / 10; out[i + 2] = Double(c) / 10
                out[i + 3] = 0.75 + Double(s) / 14; out[i + 4] = Double(h); out[i + 5] = -30 + 60 * Double(o) / 14
                i += 6
            } } } } } }
        }
        return labels
    }

    /// A contiguous `images` (read by file offset, the file sparse) and a chunked one (read through
    /// libhdf5) give the same image at the same grid position, and factor values from `labels`.
    @Test(arguments: [false, true]) func shapes3dReadsContiguousAndChunkedImages(chunked: Bool) throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let classes = [9, 0, 4, 7, 2, 14]
        let at = FactorGrid.index(of: classes, sizes: Shapes3D.sizes)
        BenchmarkFiles.hdf5(folder + "/3dshapes.h5", imageDims: [Shapes3D.count, 64, 64, 3], chunked: chunked,
                            images: [(at, Self.pattern(5)), (Shapes3D.count - 1, Self.pattern(6))], labels: Self.shapes3dLabels())
        let data = try DatasetCatalog.load("shapes3d", options: options(folder))
        let source = try #require((data.train as? GroundTruthImageSet)?.source)
        #expect((source is FileGridSource) == !chunked && (source is HDF5GridSource) == chunked)
        #expect(data.imageShape == [3, 64, 64] && data.train.count + data.test.count == 480_000)
        let table = try #require(data.train.factors)
        #expect(table.sizes == [10, 10, 10, 8, 4, 15])
        #expect(abs(table.values[3][7] - 1.25) < 1e-6 && table.values[5][0] == -30 && table.values[0][9] == 0.9)
        let drawn = try #require(data.train as? any FactorImageGenerator).images(classes: [classes, [9, 9, 9, 7, 3, 14]])
        #expect(drawn.label(0) == 2)
        let (first, second) = (Self.matches(Self.image(drawn, 0), 5), Self.matches(Self.image(drawn, 1), 6))
        #expect(first && second)
    }

    @Test func shapes3dRefusesBadFiles() throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/3dshapes.h5"
        BenchmarkFiles.hdf5(path, imageDims: [100, 64, 64, 3], chunked: false, images: [(0, Self.pattern(1))], labels: [Double](repeating: 0, count: 600))
        #expect(throws: DatasetError.invalidHeader(path: path, reason: "'images' is uint8 [100, 64, 64, 3]; Shapes3D's is uint8 [480000, 64, 64, 3]")) {
            try DatasetCatalog.load("shapes3d", options: options(folder))
        }
        // Truncated: libhdf5 sees that the file ends before the end its superblock records.
        BenchmarkFiles.truncate(path, to: BenchmarkFiles.fileSize(path) - 1000)
        #expect(throws: DatasetError.invalidHeader(path: path, reason: "libhdf5 cannot open it; it is truncated or corrupt")) {
            try DatasetCatalog.load("shapes3d", options: options(folder))
        }
        Fixture.write(Array("not an hdf5 file".utf8), path)
        #expect(throws: DatasetError.badMagic(path: path, found: "no HDF5 signature", expected: "an HDF5 file (\\x89HDF)")) {
            try DatasetCatalog.load("shapes3d", options: options(folder))
        }
        BenchmarkFiles.hdf5(path, imageDims: [Shapes3D.count, 64, 64, 3], chunked: true, images: [], labels: nil)
        #expect(throws: DatasetError.invalidHeader(path: path, reason: "it has no dataset 'labels'")) {
            try DatasetCatalog.load("shapes3d", options: options(folder))
        }
    }
}
