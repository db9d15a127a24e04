import Datasets
import Engine
import Foundation
import Models

/// A saved run brought back: its configuration, its dataset and its model at a checkpoint.
public struct LoadedRun {
    public let run: RunDirectory
    public let config: RunConfig
    public let dataset: Dataset
    public let model: VAE
    /// The epoch of the loaded checkpoint.
    public let epoch: Int
    /// The optimiser step the checkpoint was saved at (as stored in it, not derived from the config).
    public let step: Int

    /// Loads `path`'s config, rebuilds the dataset (or takes `dataset`, already loaded for this run's
    /// config, as a sweep does) and the model, and loads the weights of `epoch` (when nil, the latest
    /// completed epoch: a run interrupted mid-epoch has a newer latest.safetensors, but its weights
    /// belong to no epoch's metrics or snapshot).
    /// `readsTrainingImages` false: an MNIST-format dataset's training images are left unread
    /// (`UnreadImages`), for a caller that uses the test images alone.
    public static func load(_ path: String, epoch: Int? = nil, dataset loadedDataset: Dataset? = nil,
                            readsTrainingImages: Bool = true) throws -> LoadedRun {
        let run = RunDirectory(path)
        guard run.exists else { throw TrainingError.runNotFound(path: run.path) }
        let config = try RunConfig.read(path: run.config)
        let checkpoint: String
        if let epoch {
            checkpoint = run.checkpoint(epoch: epoch)
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: checkpoint, isDirectory: &isFolder) {
                // There, but not a file: damaged, not missing.
                if isFolder.boolValue { throw TrainingError.corruptRun(path: checkpoint, reason: "is a folder, not a checkpoint file; remove it") }
            } else if (try? FileManager.default.destinationOfSymbolicLink(atPath: checkpoint)) != nil {
                throw TrainingError.corruptRun(path: checkpoint, reason: "is a link to a file that does not exist; remove it or restore its target")
            } else {
                let saved = RunDirectory.epochs(inFolder: run.checkpoints)
                throw TrainingError.invalidOption("--epoch \(epoch): \(run.path) has no checkpoint of that epoch (see \(run.checkpoints)"
                                                  + (saved.isEmpty ? ")" : "; it has epochs \(saved.map(String.init).joined(separator: ", ")))"))
            }
        } else {
            let latest = try Checkpoint.position(path: run.latestCheckpoint)
            checkpoint = latest.midEpoch ? run.checkpoint(epoch: latest.epoch) : run.latestCheckpoint
        }
        var options = config.datasetOptions
        options.readsTrainingImages = readsTrainingImages
        let dataset = try loadedDataset ?? DatasetCatalog.load(config.dataset, options: options)
        try config.checkFits(dataset)
        var rng = RandomGenerator(seed: config.seed)
        let model = VAE(spec: config.model, rng: &rng)
        guard let saved = try Checkpoint.loadWeights(path: checkpoint, into: model) else {
            throw TrainingError.corruptRun(path: checkpoint, reason: "checkpoint metadata lacks its epoch and step")
        }
        return LoadedRun(run: run, config: config, dataset: dataset, model: model, epoch: saved.epoch, step: saved.step)
    }

    /// The same run with its dataset read whole, for one loaded with `readsTrainingImages` false
    /// that turns out to need them (the model and checkpoint are not read again).
    public func readingTrainingImages() throws -> LoadedRun {
        let dataset = try DatasetCatalog.load(config.dataset, options: config.datasetOptions)
        try config.checkFits(dataset)
        return LoadedRun(run: run, config: config, dataset: dataset, model: model, epoch: epoch, step: step)
    }
}

extension RunConfig {
    /// The dataset options this run was trained with.
    public var datasetOptions: DatasetOptions {
        var options = DatasetOptions(dataDirectory: dataDirectory, limit: limit, testLimit: testLimit, seed: seed)
        options.channels = channels
        options.background = background
        return options
    }
}
