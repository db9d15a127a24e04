import Engine
import Foundation
import Models

/// Every setting of a run (`config.json`): enough to rebuild the dataset, the model and the
/// objective, and to continue training bit for bit.
public struct RunConfig: Codable, Equatable, Sendable {
    public var toolVersion: String
    public var name: String
    // Data
    public var dataset: String
    public var dataDirectory: String?
    /// scream-dsprites' background picture (absent for every other dataset and in older runs).
    public var background: String?
    public var limit: Int?
    public var testLimit: Int?
    public var binarize: String
    public var channels: Int
    // Model
    public var model: ModelSpec
    // Objective
    public var objective: Objective
    // Optimisation
    public var epochs: Int
    /// Training length in optimiser steps when it was given in steps (`train --steps`, a study's
    /// protocol); `epochs` is then ⌈steps / batches per epoch⌉ and the last epoch stops at this step,
    /// possibly part-way through its batches. nil: whole epochs (every run before steps).
    public var steps: Int?
    public var batchSize: Int
    public var learningRate: Double
    /// How the learning rate changes over the steps (nil: constant, as every run before schedules).
    public var learningRateSchedule: LearningRateSchedule?
    public var clipNorm: Double?
    public var seed: UInt64
    public var snapshotEvery: Int
    /// Epoch checkpoints to keep, the newest N (nil: the snapshot epochs and the newest; see CheckpointRetention).
    public var keepCheckpoints: Int?
    public var threads: Int
    // Filled in from the data when the run starts
    public var trainCount: Int
    public var testCount: Int
    public var classNames: [String]
    public var datasetSource: String
    /// Where the weights came from when the run was made by `betavae import` (nil for a run trained
    /// here, and absent from config.json then, so older files read unchanged).
    public var importedFrom: ImportProvenance?

    public init(toolVersion: String, name: String, dataset: String, dataDirectory: String?, limit: Int?, testLimit: Int?,
                binarize: String, channels: Int, model: ModelSpec, objective: Objective, epochs: Int, batchSize: Int,
                learningRate: Double, clipNorm: Double?, seed: UInt64, snapshotEvery: Int, keepCheckpoints: Int? = nil, threads: Int,
                trainCount: Int = 0, testCount: Int = 0, classNames: [String] = [], datasetSource: String = "",
                learningRateSchedule: LearningRateSchedule? = nil, steps: Int? = nil) {
        self.learningRateSchedule = learningRateSchedule
        self.steps = steps
        self.toolVersion = toolVersion
        self.name = name
        self.dataset = dataset
        self.dataDirectory = dataDirectory
        self.limit = limit
        self.testLimit = testLimit
        self.binarize = binarize
        self.channels = channels
        self.model = model
        self.objective = objective
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.clipNorm = clipNorm
        self.seed = seed
        self.snapshotEvery = snapshotEvery
        self.keepCheckpoints = keepCheckpoints
        self.threads = threads
        self.trainCount = trainCount
        self.testCount = testCount
        self.classNames = classNames
        self.datasetSource = datasetSource
    }

    /// Pretty, key-sorted JSON (stable bytes for the same settings).
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding fails only on a non-finite number, which `problem` refuses before a config is
        // written; writing an empty file instead would leave a run nothing can read.
        guard let data = try? encoder.encode(self) else { preconditionFailure("config \(name) has a non-finite setting: \(problem ?? "")") }
        return Array(data) + [0x0A]
    }

    /// Reads `config.json`, naming the file when it is missing, not a config, or holds a setting
    /// no run can have.
    public static func read(path: String) throws(TrainingError) -> RunConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .runNotFound(path: path)
        }
        return try decode(Array(data), path: path)
    }

    /// Decodes and validates config.json's bytes (`path` names the file in errors): the one
    /// place a run's settings enter from disk.
    public static func decode(_ bytes: [UInt8], path: String) throws(TrainingError) -> RunConfig {
        let config: RunConfig
        do { config = try JSONDecoder().decode(RunConfig.self, from: Data(bytes)) } catch {
            throw .corruptRun(path: path, reason: "not a betavae config.json (\(Self.describe(error)))")
        }
        if let problem = config.problem {
            throw .corruptRun(path: path, reason: "\(problem); fix the file or train the run again")
        }
        return config
    }

    private static func describe(_ error: Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, _)?: return "no '\(key.stringValue)'"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?, .dataCorrupted(let context)?:
            let where_ = context.codingPath.map(\.stringValue).joined(separator: ".")
            return (where_.isEmpty ? "" : "'\(where_)': ") + context.debugDescription
        default: return "\(error)"
        }
    }
}
