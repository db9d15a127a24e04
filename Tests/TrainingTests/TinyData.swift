import Datasets
import Engine
import Foundation
import Models
import Training

/// Small synthetic data for training tests: 28×28 images of a bright bar whose row depends on the
/// class (10 classes), with seeded noise — structured enough for a VAE to learn in a few steps.
enum TinyData {
    static func images(count: Int, seed: UInt64) -> ByteImageSet {
        var rng = RandomGenerator(seed: seed)
        var pixels = [UInt8](repeating: 0, count: count * 784)
        var labels = [UInt8]()
        for i in 0..<count {
            let label = i % 10
            labels.append(UInt8(label))
            let row = 3 + 2 * label
            for y in 0..<28 {
                for x in 0..<28 {
                    let onBar = abs(y - row) <= 1 && x >= 4 && x < 24
                    let noise = rng.uniform()
                    pixels[i * 784 + y * 28 + x] = onBar ? UInt8(200 + 55 * noise) : UInt8(30 * noise)
                }
            }
        }
        return ByteImageSet(imageShape: [1, 28, 28], pixels: pixels, labels: labels, classCount: 10)
    }

    static func dataset(train: Int = 300, test: Int = 100) -> Dataset {
        Dataset(name: "tiny", train: images(count: train, seed: 1), test: images(count: test, seed: 2),
                classNames: (0..<10).map(String.init), source: "synthetic")
    }

    static func config(name: String = "tiny", objective: Objective = .beta(1), epochs: Int = 2, latent: Int = 4,
                       conditional: Bool = false, lr: Double = 1e-3, likelihood: Likelihood = .bernoulli) -> RunConfig {
        RunConfig(toolVersion: "test", name: name, dataset: "tiny", dataDirectory: nil, limit: nil, testLimit: nil, binarize: "none",
                  channels: 1,
                  model: ModelSpec(architecture: .mlp, imageShape: [1, 28, 28], hidden: [32], latent: latent,
                                   conditionClasses: conditional ? 10 : 0, likelihood: likelihood),
                  objective: objective, epochs: epochs, batchSize: 32, learningRate: lr, clipNorm: nil, seed: 5,
                  snapshotEvery: 1, threads: 1, trainCount: 300, testCount: 100)
    }

    static func folder() -> String {
        let path = NSTemporaryDirectory() + "betavae-run-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
