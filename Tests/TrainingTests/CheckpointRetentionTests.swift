import Engine
import Foundation
import Testing
@testable import Training

/// Which epoch checkpoints a run keeps as it trains, and that resume honours config.json's choice.
@Suite(.serialized) struct CheckpointRetentionTests {
    func checkpointNames(_ run: RunDirectory) throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: run.checkpoints))
    }

    @Test func policyKeepsSnapshotEpochsAndTheNewestOrTheNewestN() {
        var config = TinyData.config(epochs: 10)
        let snapshots: Set<Int> = [0, 5, 10]
        #expect((0...7).filter { config.keepsCheckpoint(epoch: $0, newest: 7, snapshotEpochs: snapshots) } == [0, 5, 7])
        config.keepCheckpoints = 3
        #expect((0...7).filter { config.keepsCheckpoint(epoch: $0, newest: 7, snapshotEpochs: snapshots) } == [5, 6, 7])
        config.keepCheckpoints = 1
        #expect((0...7).filter { config.keepsCheckpoint(epoch: $0, newest: 7, snapshotEpochs: snapshots) } == [7])
        #expect(RunConfig.keepCheckpointsProblem(0) == "must be 1…100001, not 0")
        #expect(RunConfig.keepCheckpointsProblem(1) == nil)
        config.keepCheckpoints = 0
        #expect(config.problem == "keepCheckpoints must be 1…100001, not 0")
    }

    /// By default, with a snapshot every 2 epochs, a 5-epoch run keeps epochs 0, 2, 4 and 5; the
    /// files of epochs 1 and 3 are deleted as training goes (after epoch 3, epoch 1's is gone).
    @Test func defaultRetentionKeepsTheSnapshotEpochs() throws {
        var config = TinyData.config(epochs: 3)
        config.snapshotEvery = 2
        let run = RunDirectory(TinyData.folder() + "/default")
        _ = try Trainer(config: config, dataset: TinyData.dataset(), run: run, progress: SilentProgress()).start()
        #expect(run.snapshotEpochs() == [0, 2, 3])
        #expect(run.checkpointEpochs() == [0, 2, 3])
        config.epochs = 5
        _ = try Trainer(config: config, dataset: TinyData.dataset(), run: run, progress: SilentProgress()).resume()
        #expect(run.snapshotEpochs() == [0, 2, 3, 4, 5])
        #expect(try checkpointNames(run) == ["epoch-0000.safetensors", "epoch-0002.safetensors", "epoch-0003.safetensors",
                                             "epoch-0004.safetensors", "epoch-0005.safetensors", "latest.safetensors"])
    }

    /// With keepCheckpoints = 2 only the two newest epochs stay, the choice is in config.json, and a
    /// resumed run (which reads config.json) goes on pruning; the weights are those of an
    /// uninterrupted run, so retention never touches what training reads.
    @Test func keepNewestNIsRecordedAndHonouredOnResume() throws {
        var config = TinyData.config(epochs: 2)
        config.keepCheckpoints = 2
        let run = RunDirectory(TinyData.folder() + "/keep2")
        _ = try Trainer(config: config, dataset: TinyData.dataset(), run: run, progress: SilentProgress()).start()
        #expect(try RunConfig.read(path: run.config).keepCheckpoints == 2)
        #expect(run.checkpointEpochs() == [1, 2])
        var resumed = try RunConfig.read(path: run.config)
        resumed.epochs = 4
        _ = try Trainer(config: resumed, dataset: TinyData.dataset(), run: run, progress: SilentProgress()).resume()
        #expect(try checkpointNames(run) == ["epoch-0003.safetensors", "epoch-0004.safetensors", "latest.safetensors"])
        #expect(run.snapshotEpochs() == [0, 1, 2, 3, 4])

        var full = TinyData.config(epochs: 4)
        full.keepCheckpoints = nil
        let straight = RunDirectory(TinyData.folder() + "/straight")
        _ = try Trainer(config: full, dataset: TinyData.dataset(), run: straight, progress: SilentProgress()).start()
        let a = try SafetensorsFile.read(path: straight.latestCheckpoint), b = try SafetensorsFile.read(path: run.latestCheckpoint)
        #expect(a.names == b.names)
        for name in a.names { #expect(try a.tensor(name) == b.tensor(name), "\(name) differs") }
        #expect(straight.checkpointEpochs() == [0, 1, 2, 3, 4])   // a snapshot every epoch: all kept
    }
}
