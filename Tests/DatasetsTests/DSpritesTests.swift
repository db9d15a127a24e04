import Engine
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
        let bytes = ZipArchive.archiveBytes(
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
        let set = dataset.train
        let image = set.batch([0])
        #expect(image.scalars.allSatisfy { $0 == 0 || $0 == 1 } && image.sum() == 1)
        let classes = set.factorClasses(0)
        #expect(classes.count == 6 && set.label(0) == classes[1])
        #expect(factors.values[2][classes[2]] == SpriteGrid.table.values[2][classes[2]])
    }

    /// The official file is compressed: `imgs` is inflated 64 KiB at a time and packed into bits
    /// as it comes; an archive of stored members is read from the file 1 MiB at a time. Both must
    /// give back every pixel and factor of the arrays, and refuse a stray byte or a bad CRC.
    @Test func compressedAndStoredArchivesStreamToTheSameMasks() throws {
        // 50 images of 64×64 (204,800 bytes: four pieces of inflate's 64 KiB scratch, the header
        // in the first), seeded random masks so a misplaced bit shows.
        let count = 50
        var rng = RandomGenerator(seed: 7)
        let pixels = (0..<(count * 4096)).map { _ in UInt8(rng.next() & 1) }
        let classes = (0..<count).flatMap { SpriteGrid.classes(of: $0 * 7919 % SpriteGrid.count).map(Int64.init) }
        let values = classes.enumerated().map { Double(SpriteGrid.table.values[$0.offset % 6][Int($0.element)]) }
        func members(_ pixels: [UInt8]) -> [(name: String, data: [UInt8])] {
            [("imgs.npy", NPY.serialize(NPYArray(shape: [count, 64, 64], storage: .uint8(pixels)))),
             ("latents_classes.npy", NPY.serialize(NPYArray(shape: [count, 6], storage: .int64(classes)))),
             ("latents_values.npy", NPY.serialize(NPYArray(shape: [count, 6], storage: .float64(values))))]
        }
        let folder = Fixture.temporaryFolder()
        for deflated in [true, false] {
            let path = folder + "/\(deflated ? "deflated" : "stored").npz"
            Fixture.write(ZipArchive.archiveBytes(members(pixels), deflated: deflated), path)
            #expect((try NPZFile.open(path: path) == nil) == deflated)   // which of the two readers runs
            let set = try DSprites.read(path: path)
            #expect(set.count == count && set.imageShape == [1, 64, 64] && set.classCount == 3)
            for index in [0, 17, count - 1] {
                #expect(set.batch([index]).scalars == pixels[(index * 4096)..<((index + 1) * 4096)].map(Float.init))
                #expect(set.factorClasses(index) == classes[(index * 6)..<((index + 1) * 6)].map { Int($0) })
            }
            // One byte of 2 deep in the member, past the first piece: named with its element.
            var stray = pixels
            stray[150_001] = 2
            let strayPath = folder + "/stray-\(deflated).npz"
            Fixture.write(ZipArchive.archiveBytes(members(stray), deflated: deflated), strayPath)
            #expect(Fixture.error { _ = try DSprites.read(path: strayPath) }
                    == .invalidValue(path: strayPath + " (member imgs.npy)", reason: "imgs holds 2 at element 150001; dSprites images are 0/1 masks"))
        }
        // A flipped bit in a stored member's last piece passes the packer and fails the CRC.
        var bytes = ZipArchive.archiveBytes(members(pixels))
        let at = try #require(bytes.indices.last { bytes[$0] <= 1 && $0 < 30 + 8 + count * 4096 })
        bytes[at] ^= 1
        let path = folder + "/crc.npz"
        Fixture.write(bytes, path)
        #expect(Fixture.error { _ = try DSprites.read(path: path) } == .corruptZip(path: path, reason: "member 'imgs.npy' fails its CRC-32 check"))
    }

    @Test func missingMemberIsNamed() throws {
        let path = try archive(count: 10, dropping: "latents_values")
        #expect(Fixture.error { _ = try DatasetCatalog.load("dsprites:" + path, options: DatasetOptions()) }
                == .zipMemberMissing(path: path, member: "latents_values.npy"))
        #expect(Fixture.error { _ = try DatasetCatalog.load("dsprites:/nonexistent.npz", options: DatasetOptions()) }
                == .missing(path: "/nonexistent.npz", hint: "Check the path."))
    }
}
