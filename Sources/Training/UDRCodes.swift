import Analysis
import Datasets
import Engine
import Foundation

/// What UDR (`UDRScore`; Duan et al. 2020) compares for one run: its posterior means μ `[N, Z]` of
/// a fixed set of inputs that is the same for every seed of a setting, and its mean KL per latent
/// on those same inputs, KL_j = mean_x ½ (μ_j² + σ_j² − log σ_j² − 1).
///
/// The inputs are the first `imageCount` test images of the run's dataset as the dataset seed 0
/// splits it (the run's `--limit`, `--test-limit` and binarisation, binarised from a fixed
/// generator), whatever the run's own seed. A run's test split depends on its seed for `sprites`,
/// dSprites and the other seeded splits, so its snapshots' test means are not of the same images as
/// another seed's; UDR's Spearman correlations between two models' latents are only meaningful
/// image by image, as disentanglement_lib's `udr` encodes one sample of observations with every model.
///
/// Saved as RUN/udr-codes.safetensors (`udr.means` `[N, Z]`, `udr.kl` `[Z]`; metadata the
/// checkpoint's `epoch` and `step` and `inputs`, the description of the images). `compare` and the
/// study page both get their UDR inputs here.
public struct UDRCodes: Sendable {
    /// Images encoded per run: disentanglement_lib's `udr_sklearn.num_data_points`.
    public static let imageCount = 1_000
    /// The dataset seed and binarisation seed of the common inputs.
    public static let inputSeed: UInt64 = 0

    public var means: Tensor
    public var klPerDimension: [Double]
    /// Which images were encoded ("sprites: test images 0…49 of the seed-0 split, …"); runs whose
    /// descriptions differ did not encode the same inputs and are not compared.
    public var inputs: String
    public var epoch: Int
    public var step: Int

    public init(means: Tensor, klPerDimension: [Double], inputs: String, epoch: Int, step: Int) {
        self.means = means
        self.klPerDimension = klPerDimension
        self.inputs = inputs
        self.epoch = epoch
        self.step = step
    }

    /// The dataset options of the common inputs: the run's, with the seed fixed.
    public static func inputOptions(_ config: RunConfig) -> DatasetOptions {
        var options = config.datasetOptions
        options.seed = inputSeed
        return options
    }

    /// The description of the inputs a run of `config` encodes, `count` of them.
    static func inputs(_ config: RunConfig, count: Int) -> String {
        "\(config.dataset): test images 0…\(count - 1) of the seed-\(inputSeed) split (limit \(config.limit.map(String.init) ?? "none"), "
            + "test limit \(config.testLimit.map(String.init) ?? "none"), binarisation \(config.binarize), channels \(config.channels))"
    }

    /// Encodes the common inputs with `loaded`'s model. `inputs` is the dataset loaded with
    /// `inputOptions(loaded.config)` (loaded here when nil; the run's own dataset when its seed is
    /// already the input seed).
    public static func compute(_ loaded: LoadedRun, inputs: Dataset? = nil) throws -> UDRCodes {
        let config = loaded.config
        let dataset = try inputs ?? (config.seed == inputSeed ? loaded.dataset : DatasetCatalog.load(config.dataset, options: inputOptions(config)))
        let pass = PosteriorPass(model: loaded.model, set: dataset.test, limit: imageCount,
                                 binarization: Binarization(rawValue: config.binarize) ?? .none, seed: inputSeed)
        let encoded = pass.encode()
        let n = encoded.count, z = encoded.latent
        var kl = [Double](repeating: 0, count: z)
        for row in 0..<n {
            for j in 0..<z {
                let mean = Double(encoded.means[row * z + j]), logVariance = Double(encoded.logVariances[row * z + j])
                kl[j] += 0.5 * (mean * mean + exp(logVariance) - logVariance - 1)
            }
        }
        return UDRCodes(means: encoded.means, klPerDimension: kl.map { $0 / Double(max(n, 1)) }, inputs: Self.inputs(config, count: n),
                        epoch: loaded.epoch, step: loaded.step)
    }

    /// The run's saved codes when they are of `loaded`'s checkpoint, else computed (and saved into
    /// the run when `save`; `compare` does not write into the runs it reads).
    public static func of(_ loaded: LoadedRun, inputs: Dataset? = nil, save: Bool) throws -> UDRCodes {
        if let saved = try? read(path: loaded.run.udrCodes), saved.epoch == loaded.epoch, saved.step == loaded.step,
           saved.means.columns == loaded.config.model.latent {
            return saved
        }
        let codes = try compute(loaded, inputs: inputs)
        if save {
            do { try codes.write(to: loaded.run.udrCodes) } catch { throw TrainingError.io("\(error)") }
        }
        return codes
    }

    /// The run at `path`'s codes of its latest completed epoch: the saved file when it is of that
    /// checkpoint, else the run loaded, encoded and the file saved.
    public static func of(run path: String) throws -> UDRCodes {
        let run = RunDirectory(path)
        let latest = try Checkpoint.position(path: run.latestCheckpoint)
        let checkpoint = latest.midEpoch ? run.checkpoint(epoch: latest.epoch) : run.latestCheckpoint
        if let saved = try? read(path: run.udrCodes), saved.epoch == latest.epoch, (try? Checkpoint.step(path: checkpoint)) == saved.step {
            return saved
        }
        return try of(LoadedRun.load(path), save: true)
    }

    public func write(to path: String) throws(FileError) {
        try SafetensorsWriter.write([("udr.means", means), ("udr.kl", Tensor(shape: [klPerDimension.count], scalars: klPerDimension.map(Float.init)))],
                                    metadata: ["epoch": "\(epoch)", "step": "\(step)", "inputs": inputs], to: path)
    }

    /// Reads a saved file; throws when it is not one (wrong shapes, non-finite values, no metadata).
    public static func read(path: String) throws -> UDRCodes {
        let file = try SafetensorsFile.read(path: path)
        let means = try file.tensor("udr.means"), kl = try file.tensor("udr.kl")
        guard means.shape.count == 2, kl.shape == [means.columns], (means.scalars + kl.scalars).allSatisfy(\.isFinite),
              let epoch = file.metadata["epoch"].flatMap(Int.init), let step = file.metadata["step"].flatMap(Int.init),
              let inputs = file.metadata["inputs"] else {
            throw TrainingError.corruptRun(path: path, reason: "not a UDR codes file (udr.means [N, Z], udr.kl [Z], epoch, step, inputs)")
        }
        return UDRCodes(means: means, klPerDimension: kl.scalars.map(Double.init), inputs: inputs, epoch: epoch, step: step)
    }

    /// UDR of each run within its group: `groups` lists indices into `codes`, one group per setting
    /// (the runs with the same configuration but for the seed). A run alone in its group, without
    /// codes, or in a group whose runs did not encode the same inputs gets nil.
    public static func scores(_ codes: [UDRCodes?], groups: [[Int]]) -> [Double?] {
        var scores = [Double?](repeating: nil, count: codes.count)
        for members in groups where members.count >= 2 {
            let group = members.compactMap { codes[$0] }
            guard group.count == members.count, let first = group.first, first.means.rows >= 2,
                  group.allSatisfy({ $0.inputs == first.inputs && $0.means.rows == first.means.rows && $0.means.columns == $0.klPerDimension.count })
            else { continue }
            let result = UDRScore.score(means: group.map(\.means), klPerDimension: group.map(\.klPerDimension))
            for (member, score) in zip(members, result.modelScores) { scores[member] = score }
        }
        return scores
    }
}

extension RunDirectory {
    /// The run's UDR inputs (`UDRCodes`).
    public var udrCodes: String { path + "/udr-codes.safetensors" }
}
