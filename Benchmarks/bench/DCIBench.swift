import Analysis
import Engine
import Foundation

/// The boosted DCI's exact split search (issue 22): CPU nanoseconds per scan step, a step being one
/// point of one latent of one class tree at one level (stages × classes × depth × latents × rows
/// per fit). Depth 1 times the root level alone (`SplitScan.root`); depth 3 is DCI's setting.
/// At 100,000 × 4,096 (10,000 rows fitted, dSprites' 113 classes) a fit is 1.4·10¹² steps.
enum DCIBench {
    static func run() {
        print("== dci (GradientBoostedClassifier, 10,000 rows × 64 latents, 40 classes, 8 stages)")
        let rows = 10_000, latents = 64, classes = 40, stages = 8
        var rng = RandomGenerator(seed: 3)
        let x = (0..<(rows * latents)).map { _ in rng.normal() }
        let labels = (0..<rows).map { _ in Int(rng.next() % UInt64(classes)) }
        for depth in [1, 3] {
            let steps = Double(stages * classes * depth * latents * rows)
            let start = Timing.processCPU(), wall = Timing.now()
            let model = GradientBoostedClassifier(x: x, latent: latents, labels: labels, stages: stages, depth: depth)
            let cpu = Timing.processCPU() - start, seconds = Timing.now() - wall
            row("boosted trees of depth \(depth)", String(format: "%6.2f ns CPU per step  (%.2f s wall, %.2f s CPU; importance of latent 0: %.4f)",
                                                          cpu / steps * 1e9, seconds, cpu, model.importances[0]))
        }
    }
}
