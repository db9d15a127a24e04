import Engine
import Foundation
import Models

/// Where training stands inside an epoch, so an interrupted run continues bit for bit.
public struct EpochProgress: Equatable, Sendable {
    /// Generator state when the epoch began (it regenerates the epoch's shuffle).
    public var rngAtEpochStart: [UInt64]
    /// Batches of the epoch already taken.
    public var batchesDone: Int
    /// Running sums over those batches (weighted by batch size) for the train row.
    public var lossSum: Double, reconSum: Double, klSum: Double, images: Int, seconds: Double
    public var klPerDimensionSum: [Double]
    /// Sums of the objective's own terms (`Objective.termNames`).
    public var termSums: [Double] = []

    public static func start(rng: RandomGenerator, latent: Int, terms: Int = 0) -> EpochProgress {
        EpochProgress(rngAtEpochStart: rng.state, batchesDone: 0, lossSum: 0, reconSum: 0, klSum: 0, images: 0, seconds: 0,
                      klPerDimensionSum: [Double](repeating: 0, count: latent), termSums: [Double](repeating: 0, count: terms))
    }
}

/// FactorVAE's discriminator and its Adam, saved beside the model: parameters `discriminator.*`,
/// moments `adam.exp_avg.discriminator.*` / `adam.exp_avg_sq.discriminator.*`, and its step in
/// the metadata (`discriminator_step`).
public struct DiscriminatorState {
    public let network: Discriminator
    public let adam: Adam
    public init(network: Discriminator, adam: Adam) {
        self.network = network
        self.adam = adam
    }
}

/// A training checkpoint in safetensors: the model's parameters under their PyTorch names, Adam's
/// moments as `adam.exp_avg.NAME` / `adam.exp_avg_sq.NAME`, FactorVAE's discriminator and its Adam
/// (`DiscriminatorState`), and in `__metadata__` the step, the completed epoch, the RNG state and
/// the progress inside the current epoch.
public struct Checkpoint: Sendable {
    public var epoch: Int
    public var step: Int
    public var rngState: [UInt64]
    /// Progress inside epoch `epoch + 1` when the run was interrupted mid-epoch.
    public var partialEpoch: EpochProgress?

    public init(epoch: Int, step: Int, rngState: [UInt64], partialEpoch: EpochProgress? = nil) {
        self.epoch = epoch
        self.step = step
        self.rngState = rngState
        self.partialEpoch = partialEpoch
    }

    /// Writes model, optimiser and state atomically to `path`.
    public static func save(model: VAE, adam: Adam, discriminator: DiscriminatorState? = nil, state: Checkpoint,
                            to path: String) throws(FileError) {
        var tensors: [(name: String, tensor: Tensor)] = []
        for (named, optimizer) in [(model.namedParameters, adam)] + (discriminator.map { [($0.network.namedParameters, $0.adam)] } ?? []) {
            tensors += named.map { ($0.name, $0.parameter.value) }
            for (index, item) in named.enumerated() {
                tensors.append(("adam.exp_avg." + item.name, optimizer.firstMoments[index]))
                tensors.append(("adam.exp_avg_sq." + item.name, optimizer.secondMoments[index]))
            }
        }
        var metadata = ["epoch": String(state.epoch), "step": String(state.step),
                        "rng_state": state.rngState.map(String.init).joined(separator: ",")]
        if let discriminator { metadata["discriminator_step"] = String(discriminator.adam.step) }
        if let partial = state.partialEpoch {
            metadata["partial_rng_at_epoch_start"] = partial.rngAtEpochStart.map(String.init).joined(separator: ",")
            metadata["partial_batches_done"] = String(partial.batchesDone)
            metadata["partial_sums"] = ([partial.lossSum, partial.reconSum, partial.klSum, Double(partial.images), partial.seconds]
                                        + partial.klPerDimensionSum + partial.termSums).map { "\($0)" }.joined(separator: ",")
        }
        try SafetensorsWriter.write(tensors, metadata: metadata, to: path)
    }

    /// Loads `path` into `model` and `adam` (and FactorVAE's `discriminator`), returning the saved
    /// state; `terms` is the number of the objective's own terms in the progress sums. Every
    /// tensor's shape is checked, and nothing is changed unless all of it loads.
    public static func load(path: String, model: VAE, adam: Adam, discriminator: DiscriminatorState? = nil,
                            terms: Int = 0) throws(TrainingError) -> Checkpoint {
        do {
            let file = try SafetensorsFile.read(path: path)
            let parts = [(model.namedParameters, adam)] + (discriminator.map { [($0.network.namedParameters, $0.adam)] } ?? [])
            var loaded: [(values: [Tensor], first: [Tensor], second: [Tensor])] = []
            for (named, _) in parts {
                var first: [Tensor] = [], second: [Tensor] = [], values: [Tensor] = []
                for item in named {
                    let shape = item.parameter.value.shape
                    values.append(try finite(file.tensor(item.name, shape: shape), item.name, path))
                    first.append(try finite(file.tensor("adam.exp_avg." + item.name, shape: shape), "adam.exp_avg." + item.name, path))
                    second.append(try finite(file.tensor("adam.exp_avg_sq." + item.name, shape: shape), "adam.exp_avg_sq." + item.name, path))
                }
                loaded.append((values, first, second))
            }
            let discriminatorStep = file.metadata["discriminator_step"].flatMap(Int.init)
            if discriminator != nil, !(discriminatorStep.map { $0 >= 0 } ?? false) {
                throw TrainingError.corruptRun(path: path, reason: "checkpoint metadata lacks a valid discriminator_step")
            }
            guard let epoch = file.metadata["epoch"].flatMap(Int.init), let step = file.metadata["step"].flatMap(Int.init),
                  let rng = file.metadata["rng_state"].flatMap(words), rng.count == 4,
                  (0...RunConfig.epochLimit).contains(epoch), step >= 0 else {
                throw TrainingError.corruptRun(path: path, reason: "checkpoint metadata lacks a valid epoch, step or rng_state")
            }
            var partial: EpochProgress?
            if let start = file.metadata["partial_rng_at_epoch_start"].flatMap(words),
               let done = file.metadata["partial_batches_done"].flatMap(Int.init),
               let sums = file.metadata["partial_sums"]?.split(separator: ",").compactMap({ Double($0) }), sums.count == 5 + model.spec.latent + terms {
                guard start.count == 4, done >= 0, sums.allSatisfy(\.isFinite), sums[3] >= 0, sums[3] <= Double(Int32.max) else {
                    throw TrainingError.corruptRun(path: path, reason: "checkpoint's progress inside the epoch is not valid")
                }
                partial = EpochProgress(rngAtEpochStart: start, batchesDone: done, lossSum: sums[0], reconSum: sums[1], klSum: sums[2],
                                        images: Int(sums[3]), seconds: sums[4], klPerDimensionSum: Array(sums[5..<(5 + model.spec.latent)]),
                                        termSums: Array(sums[(5 + model.spec.latent)...]))
            }
            for ((named, optimizer), tensors) in zip(parts, loaded) {
                for (index, item) in named.enumerated() { item.parameter.value = tensors.values[index] }
                optimizer.restore(step: optimizer === adam ? step : discriminatorStep ?? 0, firstMoments: tensors.first, secondMoments: tensors.second)
            }
            return Checkpoint(epoch: epoch, step: step, rngState: rng, partialEpoch: partial)
        } catch let error as SafetensorsError {
            throw damaged(path, error)
        } catch let error as TrainingError {
            throw error
        } catch {
            throw .corruptRun(path: path, reason: "\(error)")
        }
    }

    /// Where the checkpoint at `path` stands: its completed epoch and whether it was saved inside
    /// the next one. Reads the metadata only, so a resume can check `--epochs` before loading.
    public static func position(path: String) throws(TrainingError) -> (epoch: Int, midEpoch: Bool) {
        guard FileManager.default.fileExists(atPath: path) else { throw .runNotFound(path: path) }
        let metadata: [String: String]
        do { metadata = try SafetensorsFile.metadata(path: path) } catch { throw damaged(path, error) }
        guard let epoch = metadata["epoch"].flatMap(Int.init), (0...RunConfig.epochLimit).contains(epoch) else {
            throw .corruptRun(path: path, reason: "checkpoint metadata lacks a valid epoch")
        }
        return (epoch, metadata["partial_batches_done"] != nil)
    }

    /// The optimiser steps the checkpoint at `path` has taken (its metadata's `step`).
    public static func step(path: String) throws(TrainingError) -> Int {
        let metadata: [String: String]
        do { metadata = try SafetensorsFile.metadata(path: path) } catch { throw damaged(path, error) }
        guard let step = metadata["step"].flatMap(Int.init), step >= 0 else {
            throw .corruptRun(path: path, reason: "checkpoint metadata lacks a valid step")
        }
        return step
    }

    /// Throws `damaged` unless the file at `path` parses as safetensors: a resume checks this before
    /// it takes the run's lock, so that a damaged checkpoint leaves the run's files untouched.
    public static func checkReadable(path: String) throws(TrainingError) {
        do { _ = try SafetensorsFile.read(path: path) } catch { throw damaged(path, error) }
    }

    /// Loads only the model's parameters (for reporting and evaluation); returns the checkpoint's
    /// epoch and step, nil for a file without them (weights saved by PyTorch, say).
    @discardableResult
    public static func loadWeights(path: String, into model: VAE) throws(TrainingError) -> (epoch: Int, step: Int)? {
        do {
            let file = try SafetensorsFile.read(path: path)
            let epochText = file.metadata["epoch"], stepText = file.metadata["step"]
            let epoch = epochText.flatMap(Int.init), step = stepText.flatMap(Int.init)
            if epochText != nil || stepText != nil {
                guard let epoch, (0...RunConfig.epochLimit).contains(epoch), let step, step >= 0 else {
                    throw TrainingError.corruptRun(path: path, reason: "checkpoint metadata lacks a valid epoch or step")
                }
            }
            var values: [Tensor] = []
            for item in model.namedParameters {
                values.append(try finite(file.tensor(item.name, shape: item.parameter.value.shape), item.name, path))
            }
            for (item, value) in zip(model.namedParameters, values) { item.parameter.value = value }
            if let epoch, let step { return (epoch, step) }
            return nil
        } catch let error as TrainingError {
            throw error
        } catch {
            throw damaged(path, error)
        }
    }

    /// The error for a checkpoint file that exists but cannot be read (issue 25: a damaged
    /// epoch-NNNN.safetensors was reported as missing): says it is damaged, why, and what to do
    /// with this run's other checkpoints.
    static func damaged(_ path: String, _ error: Error) -> TrainingError {
        var why = String(describing: error)
        if why.hasPrefix(path + ": ") { why.removeFirst(path.count + 2) }   // the line names the file once
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let others = RunDirectory.epochs(inFolder: folder).filter { String(format: "epoch-%04d.safetensors", $0) != name }
        let advice: String
        if name == "latest.safetensors" {
            advice = others.last.map { "copy checkpoints/epoch-\(String(format: "%04d", $0)).safetensors over it to go on from epoch \($0), or train the run again with --force" }
                ?? "train the run again with --force"
        } else {
            advice = others.isEmpty ? "train the run again"
                : "pass --epoch N to use another of this run's checkpoints (epochs \(others.map(String.init).joined(separator: ", "))) or train the run again"
        }
        return .corruptRun(path: path, reason: "checkpoint unreadable, the file is damaged (\(why)); \(advice)")
    }

    /// `tensor` unchanged when every value is finite: a NaN weight would give a report full of
    /// `nan` or a run that diverges at once, so such a checkpoint is refused by name.
    private static func finite(_ tensor: Tensor, _ name: String, _ path: String) throws(TrainingError) -> Tensor {
        guard tensor.scalars.allSatisfy(\.isFinite) else {
            throw .corruptRun(path: path, reason: "'\(name)' holds values that are not finite (the run diverged or the file is damaged); "
                              + "use an earlier checkpoints/epoch-NNNN.safetensors or train again")
        }
        return tensor
    }

    private static func words(_ text: String) -> [UInt64]? {
        let parts = text.split(separator: ",").compactMap { UInt64($0) }
        return parts.isEmpty ? nil : parts
    }
}
