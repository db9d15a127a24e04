import Foundation

/// Which epoch checkpoints a run keeps as it trains (`train --keep-checkpoints N`, config.json's
/// `keepCheckpoints`). Every epoch writes `checkpoints/epoch-NNNN.safetensors`, a full copy of the
/// weights and Adam's moments (8 MB for the default MLP), so a 10-epoch run used to leave eleven.
///
/// - With N: the newest N epochs (N ≥ 1).
/// - By default: the epochs that have a snapshot (0, every `--snapshot-every`, the last), whose
///   weights go with the figures drawn from them, and the newest epoch.
///
/// `latest.safetensors` is always kept (resume starts there), and so is the newest epoch's file:
/// a run stopped mid-epoch is reported and evaluated from the last completed epoch's checkpoint.
extension RunConfig {
    /// Most checkpoints `--keep-checkpoints` may name (as many as there can be epochs, plus epoch 0).
    public static var keepCheckpointsLimit: Int { epochLimit + 1 }

    /// Why `value` cannot be a number of checkpoints to keep, or nil.
    public static func keepCheckpointsProblem(_ value: Int) -> String? {
        (1...keepCheckpointsLimit).contains(value) ? nil : "must be 1…\(keepCheckpointsLimit), not \(value)"
    }

    /// Whether the checkpoint of `epoch` stays once `newest` is the newest completed epoch, in a
    /// run whose snapshots are of `snapshotEpochs`.
    public func keepsCheckpoint(epoch: Int, newest: Int, snapshotEpochs: Set<Int>) -> Bool {
        if epoch >= newest { return true }
        if let keepCheckpoints { return epoch > newest - keepCheckpoints }
        return snapshotEpochs.contains(epoch)
    }
}

extension RunDirectory {
    /// Epochs that have a checkpoints/epoch-NNNN.safetensors, ascending.
    public func checkpointEpochs() -> [Int] {
        Self.epochs(inFolder: checkpoints)
    }

    /// Deletes the epoch checkpoints `config` does not keep once `newest` is complete; returns the
    /// epochs deleted. Only files named epoch-NNNN.safetensors are touched.
    @discardableResult
    func pruneCheckpoints(config: RunConfig, newest: Int) -> [Int] {
        let snapshots = Set(snapshotEpochs())
        let doomed = checkpointEpochs().filter { !config.keepsCheckpoint(epoch: $0, newest: newest, snapshotEpochs: snapshots) }
        for epoch in doomed { try? FileManager.default.removeItem(atPath: checkpoint(epoch: epoch)) }
        return doomed
    }
}
