import CCairo
import Foundation
import Testing
@testable import Datasets

/// SmallNORB (NYU matrices written by hand), Cars3D (.mat through libmatio) and the dSprites variants.
@Suite struct NORBCarsVariantTests {
    func options(_ folder: String, testLimit: Int = 1) -> DatasetOptions { DatasetOptions(dataDirectory: folder, testLimit: testLimit) }

    /// Writes both SmallNORB chunks: `rows` (category, instance, elevation, azimuth, lighting) per
    /// chunk; camera 0 of item i is `camera0(i)` (96×96), camera 1 all 7s. With `sparseCount`, the
    /// `dat` file declares that many items and only the first `rows.count` are written.
    func writeNORB(_ folder: String, rows: [[[Int]]], camera0: (Int) -> [UInt8], sparseCount: Int? = nil) {
        for (chunk, items) in zip(SmallNORB.chunks, rows) {
            let n = sparseCount ?? items.count
            let dat = folder + "/" + SmallNORB.fileName(chunk, "dat")
            let header = BenchmarkFiles.nyuHeader(magic: 0x1E3D_4C55, dimensions: [n, 2, 96, 96])
            Fixture.write(header, dat)
            BenchmarkFiles.truncate(dat, to: header.count + n * 2 * 9216)
            for i in 0..<min(items.count, 8) { BenchmarkFiles.pwrite(camera0(i) + [UInt8](repeating: 7, count: 9216), at: header.count + i * 2 * 9216, dat) }
            Fixture.write(BenchmarkFiles.nyuInts(items.map { $0[0] }, dimensions: [n]), folder + "/" + SmallNORB.fileName(chunk, "cat"))
            Fixture.write(BenchmarkFiles.nyuInts(items.flatMap { Array($0[1...]) }, dimensions: [n, 4]), folder + "/" + SmallNORB.fileName(chunk, "info"))
        }
    }

    /// Left half 0, right half 255: after 96 → 64 by area, columns 0…31 are 0 and 32…63 are 1.
    static let halves: [UInt8] = (0..<9216).map { $0 % 96 < 48 ? 0 : 255 }

    @Test func smallNORBReadsCameraZeroResizedWithHalvedAzimuth() throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        writeNORB(folder, rows: [[[4, 6, 8, 34, 5], [0, 4, 0, 0, 0]], [[2, 1, 3, 10, 2], [1, 0, 1, 2, 3]]], camera0: { _ in Self.halves })
        let data = try DatasetCatalog.load("smallnorb", options: options(folder))
        #expect(data.imageShape == [1, 64, 64] && data.train.count == 3 && data.test.count == 1)
        #expect(data.classNames == SmallNORB.categoryNames)
        // Not every combination is present: no drawing on request, the metrics use a pool.
        #expect(!(data.train is any FactorImageGenerator) && data.source.contains("not every factor combination"))
        let source = try SmallNORB.source(folder: folder)
        #expect(source.classes(of: 0) == [4, 8, 17, 5] && source.classes(of: 2) == [2, 3, 5, 2])
        let set = GroundTruthImageSet(source: source, positions: [0, 3])
        let pixels = set.batch([0]).scalars
        let resized = (0..<64).allSatisfy { y in (0..<64).allSatisfy { x in pixels[y * 64 + x] == (x < 32 ? 0 : 1) } }
        #expect(resized)
        #expect(set.label(1) == 1)
    }

    @Test func smallNORBRefusesWrongMagicValuesAndTruncation() throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let rows = [[[0, 4, 0, 0, 0]], [[1, 0, 1, 2, 3]]]
        writeNORB(folder, rows: rows, camera0: { _ in Self.halves })
        let cat = folder + "/" + SmallNORB.fileName(SmallNORB.chunks[0], "cat")
        Fixture.write(BenchmarkFiles.nyuHeader(magic: 0x1E3D_4C55, dimensions: [1]) + [0, 0, 0, 0], cat)
        #expect(throws: DatasetError.badMagic(path: cat, found: "0x1E3D4C55", expected: "0x1E3D4C54")) {
            try DatasetCatalog.load("smallnorb", options: options(folder))
        }
        writeNORB(folder, rows: [[[0, 4, 0, 3, 0]], [[1, 0, 1, 2, 3]]], camera0: { _ in Self.halves })
        let info = folder + "/" + SmallNORB.fileName(SmallNORB.chunks[0], "info")
        #expect(throws: DatasetError.invalidValue(path: info, reason: "row 0 is (instance 4, elevation 0, azimuth 3, lighting 0); expected 0…9, 0…8, even 0…34, 0…5")) {
            try DatasetCatalog.load("smallnorb", options: options(folder))
        }
        writeNORB(folder, rows: rows, camera0: { _ in Self.halves })
        let dat = folder + "/" + SmallNORB.fileName(SmallNORB.chunks[1], "dat")
        BenchmarkFiles.truncate(dat, to: 24 + 9216)
        #expect(throws: DatasetError.truncated(path: dat, expectedBytes: 24 + 2 * 9216, actualBytes: 24 + 9216)) {
            try DatasetCatalog.load("smallnorb", options: options(folder))
        }
        try FileManager.default.removeItem(atPath: dat)
        #expect(throws: DatasetError.missing(path: dat, hint: SmallNORB.hint)) { try DatasetCatalog.load("smallnorb", options: options(folder)) }
    }

    /// A header of four 2^24 dimensions (found by `make fuzz`) overflows Int when multiplied: refused.
    @Test func nyuDimensionsWhoseProductOverflowsAreRefused() {
        let bytes = BenchmarkFiles.nyuHeader(magic: 0x1E3D_4C54, dimensions: [1 << 24, 1 << 24, 1 << 24, 1 << 24])
        #expect(throws: DatasetError.tooLarge(path: "x", declared: "an int32 matrix of shape [16777216, 16777216, 16777216, 16777216]", limit: DatasetLimits.maximumBytes)) {
            try SmallNORB.ints(bytes, path: "x", expected: [1 << 24, 1 << 24, 1 << 24, 1 << 24])
        }
    }

    /// The real grid (24,300 items per chunk, the `dat` files sparse): every combination present,
    /// so any can be drawn, and the drawn image shows the classes asked for.
    @Test func smallNORBOfTheRealSizeDrawsAnyCombination() throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func rows(_ instances: [Int]) -> [[Int]] {
            var out = [[Int]]()
            for c in 0..<5 { for i in instances { for e in 0..<9 { for a in 0..<18 { for l in 0..<6 { out.append([c, i, e, 2 * a, l]) } } } } }
            return out
        }
        writeNORB(folder, rows: [rows([4, 6, 7, 8, 9]), rows([0, 1, 2, 3, 5])], camera0: { _ in Self.halves })
        let data = try DatasetCatalog.load("smallnorb", options: options(folder, testLimit: 10))
        #expect(data.train.count == 48_590)
        let generator = try #require(data.train as? any FactorImageGenerator)
        let asked = [[0, 0, 0, 0], [4, 8, 17, 5], [2, 3, 9, 1]]
        let drawn = generator.images(classes: asked)
        #expect((0..<3).map(drawn.factorClasses) == asked)
    }

    // MARK: Cars3D

    /// Column-major `im` [S, S, 3, 24, 4] whose channel-c plane of view (azimuth a, elevation e) is
    /// `base + c + 2a + 50e` in rows above S/2 and 255 minus that below (so a transposition shows).
    static func car(side s: Int, base: Int) -> [UInt8] {
        var data = [UInt8](repeating: 0, count: s * s * 3 * 96)
        for e in 0..<4 { for a in 0..<24 { for c in 0..<3 {
            let value = base + c + 2 * a + 50 * e
            for w in 0..<s { for h in 0..<s { data[h + s * (w + s * (c + 3 * (a + 24 * e)))] = UInt8(h < s / 2 ? value : 255 - value) } }
        } } }
        return data
    }

    @Test func cars3DReadsEveryViewOfEveryCarInGridOrder() throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        BenchmarkFiles.mat(folder + "/car_001_mesh.mat", dims: [128, 128, 3, 24, 4], data: Self.car(side: 128, base: 0))
        BenchmarkFiles.mat(folder + "/car_002_mesh.mat", dims: [128, 128, 3, 24, 4], data: Self.car(side: 128, base: 3))
        let data = try DatasetCatalog.load("cars3d", options: options(folder))
        #expect(data.imageShape == [3, 64, 64] && data.train.count + data.test.count == 192)
        #expect(data.train.factors?.sizes == [4, 24, 2] && data.classNames == ["car_001_mesh", "car_002_mesh"])
        let drawn = try #require(data.train as? any FactorImageGenerator).images(classes: [[3, 23, 1], [0, 5, 0]])
        #expect(drawn.label(0) == 1)
        for (row, (e, a, base)) in [(3, 23, 3), (0, 5, 0)].enumerated() {
            let pixels = drawn.batch([row]).scalars
            let right = (0..<3).allSatisfy { c in
                let value = Float(base + c + 2 * a + 50 * e)
                return (0..<64).allSatisfy { y in (0..<64).allSatisfy { x in
                    abs(pixels[c * 4096 + y * 64 + x] - (y < 32 ? value : 255 - value) / 255) < 1e-5
                } }
            }
            #expect(right, "image of elevation \(e), azimuth \(a)")
        }
    }

    @Test func cars3DRefusesFilesWithoutImOrOfTheWrongShape() throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/car_001_mesh.mat"
        BenchmarkFiles.mat(path, name: "mesh", dims: [2, 2], data: [1, 2, 3, 4])
        #expect(throws: DatasetError.invalidHeader(path: path, reason: "it has no variable 'im'")) { try DatasetCatalog.load("cars3d", options: options(folder)) }
        BenchmarkFiles.mat(path, dims: [64, 64, 3, 24, 3], data: [UInt8](repeating: 1, count: 64 * 64 * 3 * 72))
        #expect(throws: DatasetError.invalidHeader(path: path, reason: "'im': its shape is [64, 64, 3, 24, 3]; Cars3D's is [128, 128, 3, 24, 4]")) {
            try DatasetCatalog.load("cars3d", options: options(folder))
        }
        BenchmarkFiles.mat(path, dims: [64, 64, 3, 24, 4], data: Self.car(side: 64, base: 0))
        BenchmarkFiles.truncate(path, to: BenchmarkFiles.fileSize(path) / 2)
        let truncated = Fixture.error { _ = try DatasetCatalog.load("cars3d", options: options(folder)) }
        #expect(truncated?.description.hasPrefix(path) == true)
        Fixture.write(Array("MATLAB 5.0 MAT-file, but not really".utf8), path)
        #expect(Fixture.error { _ = try DatasetCatalog.load("cars3d", options: options(folder)) } != nil)
        try FileManager.default.removeItem(atPath: path)
        #expect(throws: DatasetError.missing(path: folder + "/car_*_mesh.mat", hint: Cars3D.hint)) { try DatasetCatalog.load("cars3d", options: options(folder)) }
    }

    // MARK: dSprites variants

    /// A 100×80 PNG whose pixel (x, y) is (2x, 3y, 128), written with Cairo.
    static func backgroundPNG(_ path: String) {
        let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 100, 80)!
        cairo_surface_flush(surface)
        let data = cairo_image_surface_get_data(surface)!, stride = Int(cairo_image_surface_get_stride(surface))
        for y in 0..<80 { for x in 0..<100 {
            (data + y * stride + 4 * x).withMemoryRebound(to: UInt32.self, capacity: 1) { $0.pointee = UInt32(2 * x) << 16 | UInt32(3 * y) << 8 | 128 }
        } }
        cairo_surface_mark_dirty(surface)
        cairo_surface_write_to_png(surface, path)
        cairo_surface_destroy(surface)
    }

    @Test(arguments: DSpritesVariant.allCases) func variantsTransformTheSpriteAsTheLibraryDoes(variant: DSpritesVariant) throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var options = DatasetOptions(limit: 10, testLimit: 10, seed: 3)
        if variant == .scream {
            options.background = folder + "/scream.png"
            Self.backgroundPNG(folder + "/scream.png")
        }
        let data = try DatasetCatalog.load(variant.rawValue, options: options)
        #expect(data.imageShape == [3, 64, 64] && data.train.factors?.sizes == SpriteGrid.sizes && data.classNames == SpriteGrid.shapeNames)
        let classes = [0, 2, 5, 10, 16, 16]
        let drawn = try #require(data.train as? any FactorImageGenerator).images(classes: [classes, classes])
        let pixels = drawn.batch([0]).scalars
        #expect(drawn.batch([1]).scalars == pixels, "the same image every time it is read")
        var mask = [Float](repeating: 0, count: 4096)
        mask.withUnsafeMutableBufferPointer { SpriteGrid.draw(classes: classes, into: $0) }
        let on = (0..<4096).filter { mask[$0] == 1 }, off = (0..<4096).filter { mask[$0] == 0 }
        #expect(on.count > 100 && off.count > 100)
        let planes = (0..<3).map { c in Array(pixels[(c * 4096)..<((c + 1) * 4096)]) }
        switch variant {
        case .color:
            // One colour in [0.5, 1) per channel on the sprite, black elsewhere.
            for plane in planes {
                let colour = plane[on[0]]
                #expect(colour >= 0.5 && colour < 1 && on.allSatisfy { plane[$0] == colour } && off.allSatisfy { plane[$0] == 0 })
            }
        case .noisy:
            // White sprite on noise: background values spread over [0, 1).
            for plane in planes {
                let background = off.map { plane[$0] }
                #expect(on.allSatisfy { plane[$0] == 1 } && background.allSatisfy { $0 >= 0 && $0 < 1 })
                #expect(background.min()! < 0.05 && background.max()! > 0.95)
            }
        case .scream:
            // Blue is 128 everywhere in the picture: (128/255 + tint) / 2 off the sprite, 1 minus that on it.
            let blue = planes[2], tinted = blue[off[0]]
            #expect(off.allSatisfy { abs(blue[$0] - tinted) < 1e-6 } && on.allSatisfy { abs(blue[$0] - (1 - tinted)) < 1e-6 })
            #expect(tinted >= 64 / 255 && tinted < (128 / 255 + 1) / 2)
            // Red grows by 2/255 a column on the background: (2x / 255 + tint) / 2.
            let red = planes[0], row = 0
            let steps = (0..<63).filter { off.contains(row * 64 + $0) && off.contains(row * 64 + $0 + 1) }
            #expect(steps.allSatisfy { abs(red[row * 64 + $0 + 1] - red[row * 64 + $0] - 1 / 255) < 1e-5 })
        }
    }

    @Test func screamNeedsABackgroundAndOnlyScreamTakesOne() throws {
        #expect(throws: DatasetError.invalidOption("scream-dsprites needs --background PICTURE.png (disentanglement_lib crops The Scream; any picture over 64×64 works)")) {
            try DatasetCatalog.load("scream-dsprites", options: DatasetOptions(limit: 10))
        }
        var options = DatasetOptions(limit: 10)
        options.background = "/nonexistent.png"
        #expect(throws: DatasetError.invalidOption("--background is only for scream-dsprites, not color-dsprites")) {
            try DatasetCatalog.load("color-dsprites", options: options)
        }
        #expect(Fixture.error { _ = try DatasetCatalog.load("scream-dsprites", options: options) }?.description.hasPrefix("/nonexistent.png: not found") == true)
    }
}
