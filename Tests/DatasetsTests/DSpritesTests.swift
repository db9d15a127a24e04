import Foundation
import Testing
@testable import Datasets

/// The dSprites loader on a small archive with the official layout (imgs, latents_classes,
/// latents_values, a pickled metadata member that must be skipped).
@Suite struct DSpritesTests {
    func archive(count: Int, dropping: String? = nil) throws -> String {
        var pixels = [UInt8](repeating: 0, count: count * 64 * 64)
        var classes: [Int64] = [], values: [Double] = []
        for i in 0..<count {
            let factors = SpriteGrid.classes(of: i * 997 % SpriteGrid.count)
            classes += factors.map(Int64.init)
            values += factors.enumerated().map { Double(SpriteGrid.table.values[$0.offset][$0.element]) }
            pixels[i * 4096 + i % 4096] = 1
        }
        var members: [(name: String, array: NPYArray)] = [
            ("imgs", NPYArray(shape: [count, 64, 64], storage: .uint8(pixels))),
            ("latents_classes", NPYArray(shape: [count, 6], storage: .int64(classes))),
            ("latents_values", NPYArray(shape: [count, 6], storage: .float64(values))),
        ]
        members.removeAll { $0.name == dropping }
        let folder = Fixture.temporaryFolder()
        // A pickled member like the official file's `metadata` (never read).
        let bytes = ZipArchive.storedArchive(
            members.map { ($0.name + ".npy", NPY.serialize($0.array)) } + [("metadata.npy", Array("not an array".utf8))])
        let path = folder + "/dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz"
        Fixture.write(bytes, path)
        return path
    }

    @Test func loadsImagesFactorsAndASeededSplit() throws {
        let path = try archive(count: 200)
        let dataset = try DatasetCatalog.load("dsprites:" + path, options: DatasetOptions(seed: 4))
        #expect(dataset.train.count == 180 && dataset.test.count == 20)
        #expect(dataset.imageShape == [1, 64, 64])
        let factors = try #require(dataset.train.factors)
        #expect(factors.names == SpriteGrid.names)
        // The archive holds only squares, yet the grid keeps its three shapes and six scales.
        #expect(factors.sizes == [1, 3, 6, 40, 32, 32])
        // Pixels stay 0/1 (scale 1, not 1/255) and each image keeps its own factor classes.
        let set = try #require(dataset.train as? ByteImageSet)
        let image = set.batch([0])
        #expect(image.scalars.allSatisfy { $0 == 0 || $0 == 1 } && image.sum() == 1)
        let classes = set.factorClasses(0)
        #expect(classes.count == 6 && set.label(0) == classes[1])
        #expect(factors.values[2][classes[2]] == SpriteGrid.table.values[2][classes[2]])
    }

    @Test func missingMemberIsNamed() throws {
        let path = try archive(count: 10, dropping: "latents_values")
        #expect(Fixture.error { _ = try DatasetCatalog.load("dsprites:" + path, options: DatasetOptions()) }
                == .zipMemberMissing(path: path, member: "latents_values.npy"))
        #expect(Fixture.error { _ = try DatasetCatalog.load("dsprites:/nonexistent.npz", options: DatasetOptions()) }
                == .missing(path: "/nonexistent.npz", hint: "Check the path."))
    }
}
