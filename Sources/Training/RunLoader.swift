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

    /// Loads `path`'s config, rebuilds the dataset and the model, and loads the weights of
    /// `epoch` (when nil, the latest completed epoch: a run interrupted mid-epoch has a newer
    /// latest.safetensors, but its weights belong to no epoch's metrics or snapshot).
    public static func load(_ path: String, epoch: Int? = nil) throws -> LoadedRun {
        let run = RunDirectory(path)
        guard run.exists else { throw TrainingError.runNotFound(path: run.path) }
        let config = try RunConfig.read(path: run.config)
        let dataset = try DatasetCatalog.load(config.dataset, options: config.datasetOptions)
        try config.checkFits(dataset)
        var rng = RandomGenerator(seed: config.seed)
        let model = VAE(spec: config.model, rng: &rng)
        var checkpoint = epoch.map { run.checkpoint(epoch: $0) } ?? run.latestCheckpoint
        if let epoch, !FileManager.default.fileExists(atPath: run.checkpoint(epoch: epoch)) {
            throw TrainingError.invalidOption("--epoch \(epoch): \(run.path) has no checkpoint of that epoch (see \(run.checkpoints))")
        }
        if epoch == nil, let latest = try? SafetensorsFile.read(path: run.latestCheckpoint),
           latest.metadata["partial_batches_done"] != nil, let completed = latest.metadata["epoch"].flatMap(Int.init) {
            checkpoint = run.checkpoint(epoch: completed)
        }
        guard FileManager.default.fileExists(atPath: checkpoint) else {
            throw TrainingError.runNotFound(path: checkpoint)
        }
        try Checkpoint.loadWeights(path: checkpoint, into: model)
        let savedEpoch = (try? SafetensorsFile.read(path: checkpoint))?.metadata["epoch"].flatMap(Int.init)
        let loadedEpoch = epoch ?? savedEpoch ?? 0
        return LoadedRun(run: run, config: config, dataset: dataset, model: model, epoch: loadedEpoch)
    }
}

extension RunConfig {
    /// The dataset options this run was trained with.
    public var datasetOptions: DatasetOptions {
        var options = DatasetOptions(dataDirectory: dataDirectory, limit: limit, testLimit: testLimit, seed: seed)
        options.channels = channels
        return options
    }
}
