import Analysis
import Engine
import Foundation
import Models
import Training

/// The report's latent explorer: the run's decoder, run in the browser by templates/explorer.js.
///
/// Writes `OUT/explorer/decoder.safetensors` — the decoder's parameters by state-dict name
/// (`decoder.0.weight` …), `explorer.means` `[N, Z]` and `explorer.labels` `[N]` (the posterior
/// means of the first N ≤ 16 test images and their labels), `explorer.images` `[N, C, H, W]` (those
/// images in [0, 1]), all F32, and in `__metadata__["betavae.explorer"]` a JSON `ExplorerDescription`
/// (the decoder's operations, the image shape, each dimension's KL and slider range) — then the same
/// bytes as base64 in `OUT/explorer/decoder.js` (a page opened from file:// may not fetch() a file
/// beside it, but may run a script), and the script itself as `OUT/explorer/explorer.js`.
enum LatentExplorer {
    static let folder = "explorer"
    static let metadataKey = "betavae.explorer"
    /// The picker offers the first 16 test images, the same as the reconstructions figure.
    static let pickerImages = 16
    /// A dimension whose test means spread less than this (standard deviation) is inactive
    /// (Var < 0.01, LatentUsage's threshold): its posterior is the prior, so its slider spans ±3.
    static let priorSpan: Float = 3

    /// One slider: latent dimension `index`, its test KL (nats), whether it is an active unit, and
    /// the range it spans.
    struct Dimension: Codable, Equatable {
        var index: Int
        var kl: Double
        var active: Bool
        var low: Float
        var high: Float
    }

    /// What explorer.js needs besides the tensors.
    struct Description: Codable, Equatable {
        var version = 1
        var run: String
        var epoch: Int
        var architecture: String
        /// `[C, H, W]`.
        var imageShape: [Int]
        var latent: Int
        /// K: a one-hot label of K classes follows z in the decoder's input (0: unconditional).
        var conditionClasses: Int
        var classNames: [String]
        /// "bernoulli" (image = sigmoid of the logits) or "gaussian" (image = output clamped to [0, 1]).
        var likelihood: String
        var program: [DecoderOperation]
        /// Every dimension, active ones first, each group by KL, largest first.
        var dimensions: [Dimension]
    }

    /// Writes the explorer's three files into `out/explorer/` and returns the page's context.
    static func write(_ data: RunData, to out: String, templates: Templates) throws -> [String: Any] {
        let (tensors, description) = try contents(data)
        let bytes = SafetensorsWriter.serialize(tensors, metadata: [metadataKey: try encode(description)])
        let base64 = Data(bytes).base64EncodedString()
        let script = "// betavae latent explorer: explorer/decoder.safetensors as base64 (see README, \"The latent explorer\").\n"
            + "window.betavaeExplorerData = \"\(base64)\";\n"
        let directory = out + "/" + folder
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try AtomicFile.writeIfChanged(bytes, to: directory + "/decoder.safetensors")
        try AtomicFile.writeIfChanged(Array(script.utf8), to: directory + "/decoder.js")
        try AtomicFile.writeIfChanged(Array(try templates.asset("explorer.js").utf8), to: directory + "/explorer.js")
        let active = description.dimensions.filter(\.active).count
        let (h, w) = (description.imageShape[1], description.imageShape[2])
        let scale = max(1, 256 / max(h, w))
        return [
            "width": w, "height": h, "displayWidth": w * scale, "displayHeight": h * scale,
            "conditional": description.conditionClasses > 0,
            "caption": caption(data, active: active, images: tensors.first { $0.name == "explorer.means" }?.tensor.rows ?? 0),
        ]
    }

    static func caption(_ data: RunData, active: Int, images: Int) -> String {
        let likelihood = data.config.model.likelihood == .bernoulli ? "the sigmoid of the decoder's logits" : "the decoder's mean, clamped to [0, 1]"
        let label = data.config.model.conditionClasses > 0 ? " The label menu's class joins z as a one-hot vector, as the conditional decoder was trained; picking a test image also picks its label." : ""
        let inactive = active < data.latent ? "; the \(data.latent - active) inactive ones are under “inactive dimensions” (their posterior is the prior, so they span ±3)" : ""
        return "The run's decoder (epoch \(data.loaded.epoch)) running in this page: \(active) of \(data.latent) dimensions are active (Var over x of E[z_j | x] > 0.01) and get a slider, ordered by test KL\(inactive). Each active dimension's slider spans the test means' mean ± 3 standard deviations, widened to hold their smallest and largest value and 0. Start from the posterior mean of one of the first \(images) test images, or from the zero code; the image is \(likelihood), redrawn as a slider moves.\(label) The weights are in explorer/decoder.safetensors (README: the latent explorer)."
    }

    /// The exported tensors and the description, from the run's model, usage and last snapshot.
    static func contents(_ data: RunData) throws -> (tensors: [(name: String, tensor: Tensor)], description: Description) {
        let model = data.model
        let count = min(pickerImages, data.loaded.dataset.test.count)
        let encoded = data.testPosterior(limit: count)
        var tensors = model.decoderParameters.map { (name: $0.name, tensor: $0.parameter.value) }
        tensors.append(("explorer.means", encoded.means))
        tensors.append(("explorer.labels", Tensor(shape: [encoded.labels.count], scalars: encoded.labels.map(Float.init))))
        tensors.append(("explorer.images", pickerImages(data, count: encoded.count)))
        let description = Description(run: data.config.name, epoch: data.loaded.epoch, architecture: data.config.model.architecture.rawValue,
                                      imageShape: data.imageShape, latent: data.latent, conditionClasses: data.config.model.conditionClasses,
                                      classNames: data.config.classNames, likelihood: data.config.model.likelihood.rawValue,
                                      program: model.decoderProgram, dimensions: dimensions(data, start: encoded.means))
        return (tensors, description)
    }

    /// The picker's images: the last snapshot's validation images (the first test images, as that
    /// epoch's pass saw them), `[count, C, H, W]`.
    static func pickerImages(_ data: RunData, count: Int) -> Tensor {
        let size = data.config.model.imageSize
        guard let snapshot = data.snapshots.last, snapshot.validationImages.rows >= count else {
            return Tensor(shape: [count] + data.imageShape)
        }
        return Tensor(shape: [count] + data.imageShape, scalars: Array(snapshot.validationImages.scalars[0..<(count * size)]))
    }

    /// Each dimension's slider: KL and activity from the run's usage, the range from the last
    /// snapshot's test means (widened to hold the picker's `start` means too).
    static func dimensions(_ data: RunData, start: Tensor) -> [Dimension] {
        let usage = data.usage
        let z = data.latent
        let means = data.snapshots.last?.means ?? start
        let active = Set(usage.activeUnits)
        let all = (0..<z).map { j -> Dimension in
            // The zero code and the picker's means are starting points, so every range holds them.
            var column = (0..<means.rows).map { means[$0 * z + j] }
            column += (0..<start.rows).map { start[$0 * z + j] } + [0]
            let mean = column.reduce(0, +) / Float(max(column.count, 1))
            guard active.contains(j) else {
                return Dimension(index: j, kl: usage.klPerDimension[j], active: false,
                                 low: min(mean - priorSpan, column.min() ?? 0), high: max(mean + priorSpan, column.max() ?? 0))
            }
            let sd = (column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(max(column.count, 1))).squareRoot()
            return Dimension(index: j, kl: usage.klPerDimension[j], active: true,
                             low: min(mean - 3 * sd, column.min() ?? 0), high: max(mean + 3 * sd, column.max() ?? 0))
        }
        let order = usage.dimensionsByKL
        return order.filter { active.contains($0) }.map { all[$0] } + order.filter { !active.contains($0) }.map { all[$0] }
    }

    static func encode(_ description: Description) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(description), as: UTF8.self)
    }
}
