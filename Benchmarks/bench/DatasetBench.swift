import Datasets
import Engine
import Foundation

/// Loading Fashion-MNIST from its .gz files, and drawing sprites.
enum DatasetBench {
    static func run() {
        print("== datasets")
        var loaded: Dataset?
        let loadTime = Timing.median(repeats: 3) { loaded = try? DatasetCatalog.load("fashion-mnist", options: DatasetOptions()) }
        if let loaded {
            row("load Fashion-MNIST (.gz, 60,000 + 10,000 images)", String(format: "%7.3f s", loadTime))
            let batchTime = Timing.median(repeats: 20) { _ = loaded.train.batch(Array(0..<128)) }
            row("  one Float32 batch of 128 from u8 storage", String(format: "%7.3f ms", batchTime * 1e3))
            var rng = RandomGenerator(seed: 0)
            let schedule = BatchSchedule(count: loaded.train.count, batchSize: 128)
            let epoch = schedule.epoch(rng: &rng)
            var next = 0
            let shuffled = Timing.median(repeats: 200) {
                _ = loaded.train.batch(epoch[next % epoch.count], binarization: .none, rng: &rng)
                next += 1
            }
            row("  one shuffled batch of 128 (as training takes it)", String(format: "%7.3f ms", shuffled * 1e3))
        } else {
            row("load Fashion-MNIST", "not installed (make setup)")
        }
        let sprites = SpriteImageSet(indices: Array(stride(from: 0, to: SpriteGrid.count, by: 73)).prefix(10_000).map { $0 })
        let drawTime = Timing.median(repeats: 3) { _ = sprites.batch(Array(0..<10_000)) }
        row("draw 10,000 sprites (64×64, Cairo)", String(format: "%7.3f s  (%.0f images/s)", drawTime, 10_000 / drawTime))
    }
}
