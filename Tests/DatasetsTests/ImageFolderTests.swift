import Foundation
import Testing
@testable import Datasets
import Engine

@Suite struct ImageFolderTests {
    /// tiny.png is 6×4, left half red, right half blue: centre-cropped to 4×4 and resized to 64×64,
    /// the left columns are red and the right columns blue.
    @Test func decodesCropsAndResizes() throws {
        let folder = Fixture.temporaryFolder()
        for i in 0..<10 { try FileManager.default.copyItem(atPath: Fixture.path("tiny.png"), toPath: "\(folder)/\(i).png") }
        let rgb = try ImageFolder.load(folder: folder, channels: 3)
        #expect(rgb.count == 10 && rgb.imageShape == [3, 64, 64])
        let image = rgb.batch([0])
        let plane = 64 * 64
        #expect(image[10 * 64 + 2] == 1 && image[plane + 10 * 64 + 2] == 0 && image[2 * plane + 10 * 64 + 2] == 0)
        #expect(image[10 * 64 + 61] == 0 && image[2 * plane + 10 * 64 + 61] == 1)
        let grey = try ImageFolder.load(folder: folder, channels: 1)
        #expect(grey.pixels[0] == 76)   // luma of pure red: 0.299·255
        let dataset = try DatasetCatalog.load("images:" + folder, options: DatasetOptions(seed: 2))
        #expect(dataset.train.count == 9 && dataset.test.count == 1)
        #expect(dataset.defaultLikelihood == "gaussian")
    }

    @Test func emptyFolderAndNonPNG() throws {
        let empty = Fixture.temporaryFolder()
        #expect(Fixture.error { _ = try ImageFolder.load(folder: empty, channels: 3) } == .emptyFolder(path: empty))
        let folder = Fixture.temporaryFolder()
        try FileManager.default.copyItem(atPath: Fixture.path("notpng.png"), toPath: folder + "/a.png")
        #expect(Fixture.error { _ = try ImageFolder.load(folder: folder, channels: 3) } == .notPNG(path: folder + "/a.png"))
        #expect(Fixture.error { _ = try ImageFolder.load(folder: folder + "/nope", channels: 3) }
                == .missing(path: folder + "/nope", hint: "Give a folder of PNG images as images:DIR."))
    }
}

@Suite struct BatchingTests {
    let set = ByteImageSet(imageShape: [1, 1, 2], pixels: [0, 255, 64, 191, 128, 10], labels: [0, 1, 2], classCount: 3)

    @Test func bytesBecomeFloatsAndLabelsFollow() {
        var rng = RandomGenerator(seed: 0)
        let batch = set.batch([2, 0], binarization: .none, rng: &rng)
        #expect(batch.images.shape == [2, 1, 1, 2])
        #expect(batch.images.scalars == [128 / 255, 10 / 255, 0, 1])
        #expect(batch.labels == [2, 0])
        #expect(set.batch([0, 1, 2], binarization: .fixed, rng: &rng).images.scalars == [0, 1, 0, 1, 1, 0])
    }

    /// Dynamic binarisation draws Bernoulli(x): the mean over many draws approaches x.
    @Test func dynamicBinarizationIsBernoulli() {
        let grey = ByteImageSet(imageShape: [1, 1, 1], pixels: [64])
        var rng = RandomGenerator(seed: 1)
        var ones: Float = 0
        for _ in 0..<4000 { ones += grey.batch([0], binarization: .dynamic, rng: &rng).images[0] }
        #expect(abs(ones / 4000 - 64 / 255) < 0.03)
    }

    @Test func scheduleCoversEveryImageOncePerEpoch() {
        let schedule = BatchSchedule(count: 10, batchSize: 4)
        var rng = RandomGenerator(seed: 2)
        let epoch = schedule.epoch(rng: &rng)
        #expect(epoch.map(\.count) == [4, 4, 2])
        #expect(epoch.flatMap { $0 }.sorted() == Array(0..<10))
        var again = RandomGenerator(seed: 2)
        #expect(schedule.epoch(rng: &again) == epoch)
        #expect(schedule.epoch(rng: &rng) != epoch)
    }
}
