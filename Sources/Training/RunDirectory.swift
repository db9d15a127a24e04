import Engine
import Foundation

/// The layout of a run directory (../shared/DESIGN.md): config.json, metrics.csv,
/// checkpoints/epoch-NNNN.safetensors + latest.safetensors, snapshots/epoch-NNNN.safetensors.
public struct RunDirectory: Sendable {
    public let path: String

    public init(_ path: String) {
        self.path = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
    }

    /// The run's name: the folder's last component.
    public var name: String { URL(fileURLWithPath: path).lastPathComponent }
    public var config: String { path + "/config.json" }
    public var metrics: String { path + "/metrics.csv" }
    public var lock: String { path + "/.lock" }
    public var checkpoints: String { path + "/checkpoints" }
    public var snapshots: String { path + "/snapshots" }
    public var latestCheckpoint: String { checkpoints + "/latest.safetensors" }
    public var evaluation: String { path + "/evaluation.json" }

    public func checkpoint(epoch: Int) -> String { checkpoints + String(format: "/epoch-%04d.safetensors", epoch) }
    public func snapshot(epoch: Int) -> String { snapshots + String(format: "/epoch-%04d.safetensors", epoch) }

    /// Epochs that have a snapshot, ascending.
    public func snapshotEpochs() -> [Int] {
        Self.epochs(inFolder: snapshots)
    }

    /// The NNNN of the folder's epoch-NNNN.safetensors files, ascending.
    static func epochs(inFolder folder: String) -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.compactMap { name -> Int? in
            guard name.hasPrefix("epoch-"), name.hasSuffix(".safetensors") else { return nil }
            return Int(name.dropFirst(6).dropLast(12))
        }.sorted()
    }

    /// True when the folder holds a run (a config.json).
    public var exists: Bool { FileManager.default.fileExists(atPath: config) }
}
