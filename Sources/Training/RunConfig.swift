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
    public var batchSize: Int
    public var learningRate: Double
    public var clipNorm: Double?
    public var seed: UInt64
    public var snapshotEvery: Int
    public var threads: Int
    // Filled in from the data when the run starts
    public var trainCount: Int
    public var testCount: Int
    public var classNames: [String]
    public var datasetSource: String

    public init(toolVersion: String, name: String, dataset: String, dataDirectory: String?, limit: Int?, testLimit: Int?,
                binarize: String, channels: Int, model: ModelSpec, objective: Objective, epochs: Int, batchSize: Int,
                learningRate: Double, clipNorm: Double?, seed: UInt64, snapshotEvery: Int, threads: Int,
                trainCount: Int = 0, testCount: Int = 0, classNames: [String] = [], datasetSource: String = "") {
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
        // Encoding a struct of plain values cannot fail.
        return Array((try? encoder.encode(self)) ?? Data()) + [0x0A]
    }

    /// Reads `config.json`, naming the file when it is missing or not a config.
    public static func read(path: String) throws(TrainingError) -> RunConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .runNotFound(path: path)
        }
        do { return try JSONDecoder().decode(RunConfig.self, from: data) } catch {
            throw .corruptRun(path: path, reason: "not a betavae config.json (\(error))")
        }
    }
}
