import Datasets
import Engine
import Models

/// The ranges a run's settings may take, shared by the command line's option checks and
/// config.json's: one owner for each limit.
extension RunConfig {
    /// Largest number of epochs (a guard against typos such as 1e9 that would fill the disk).
    public static let epochLimit = 100_000
    /// Most optimiser steps (Locatello et al.'s 300,000 with room to spare; a guard against typos).
    public static let stepLimit = 100_000_000
    /// Largest batch.
    public static let batchLimit = 65_536
    /// Most BLAS threads: far above any machine this runs on; more only makes threads fight.
    public static let threadLimit = 256

    /// Why this configuration cannot be trained, reported or resumed, or nil. Each message names
    /// the setting as config.json spells it.
    public var problem: String? {
        if let problem = model.problem { return "model: " + problem }
        if let problem = objective.problem { return "objective: " + problem }
        guard !name.isEmpty, !dataset.isEmpty else { return "name and dataset must not be empty" }
        if let limit, limit <= 0 { return "limit must be positive, not \(limit)" }
        if let testLimit, testLimit <= 0 { return "testLimit must be positive, not \(testLimit)" }
        guard Binarization(rawValue: binarize) != nil else { return "binarize must be none, fixed or dynamic, not '\(binarize)'" }
        guard channels == 1 || channels == 3 else { return "channels must be 1 or 3, not \(channels)" }
        guard (1...Self.epochLimit).contains(epochs) else { return "epochs must be 1…\(Self.epochLimit), not \(epochs)" }
        guard (1...Self.batchLimit).contains(batchSize) else { return "batchSize must be 1…\(Self.batchLimit), not \(batchSize)" }
        if let steps {
            guard (1...Self.stepLimit).contains(steps) else { return "steps must be 1…\(Self.stepLimit), not \(steps)" }
            if trainCount > 0, epochs != Self.epochs(steps: steps, trainCount: trainCount, batchSize: batchSize) {
                return "epochs is \(epochs) but \(steps) steps of \(batchSize) over \(trainCount) images take "
                    + "\(Self.epochs(steps: steps, trainCount: trainCount, batchSize: batchSize))"
            }
        }
        guard learningRate.isFinite, learningRate > 0 else { return "learningRate must be a finite number > 0, not \(learningRate)" }
        if let problem = learningRateSchedule?.problem(base: learningRate) { return problem }
        if let clipNorm, !(clipNorm.isFinite && clipNorm > 0) { return "clipNorm must be a finite number > 0, not \(clipNorm)" }
        guard snapshotEvery >= 1 else { return "snapshotEvery must be ≥ 1, not \(snapshotEvery)" }
        if let keepCheckpoints, let problem = Self.keepCheckpointsProblem(keepCheckpoints) { return "keepCheckpoints " + problem }
        guard (1...Self.threadLimit).contains(threads) else { return "threads must be 1…\(Self.threadLimit), not \(threads)" }
        guard trainCount >= 0, testCount >= 0 else { return "trainCount and testCount must be ≥ 0" }
        guard classNames.count <= ModelSpec.classLimit else { return "classNames has more than \(ModelSpec.classLimit) entries" }
        if let problem = importedFrom?.problem { return "importedFrom: " + problem }
        return nil
    }
}

extension RunConfig {
    /// Optimiser steps in one epoch: one per batch, the last batch possibly short.
    public static func batchesPerEpoch(trainCount: Int, batchSize: Int) -> Int { (trainCount + batchSize - 1) / max(batchSize, 1) }

    /// The epochs `steps` optimiser steps span: ⌈steps / batches per epoch⌉ (the last may be partial).
    public static func epochs(steps: Int, trainCount: Int, batchSize: Int) -> Int {
        let batches = max(1, batchesPerEpoch(trainCount: trainCount, batchSize: batchSize))
        return (steps + batches - 1) / batches
    }

    /// The optimiser steps the whole run takes: `steps`, or every batch of every epoch.
    public var totalSteps: Int { steps ?? epochs * Self.batchesPerEpoch(trainCount: trainCount, batchSize: batchSize) }
}

extension RunConfig {
    /// Checks that `dataset`, loaded again for a saved run, is the data the run's model was built
    /// for: the same image shape and, for a conditional model, the same classes. A folder changed
    /// since training would otherwise feed the model images or labels of the wrong size.
    public func checkFits(_ dataset: Dataset) throws(TrainingError) {
        guard dataset.imageShape == model.imageShape else {
            throw .corruptRun(path: name, reason: "the model was trained on \(model.imageShape) images but \(self.dataset) now holds "
                              + "\(dataset.imageShape) images; point the run at its original data")
        }
        let classes = model.conditionClasses
        guard classes == 0 || (dataset.train.classCount == classes && dataset.test.classCount == classes) else {
            throw .corruptRun(path: name, reason: "the conditional model has \(classes) classes but \(self.dataset) now has "
                              + "\(dataset.train.classCount); point the run at its original data")
        }
    }
}
