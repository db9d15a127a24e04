import Engine
import Foundation
import Models
import Testing
@testable import Training

@Suite(.serialized) struct RunDirectoryTests {
    @Test func tinyRunWritesEveryFileConsistently() throws {
        let run = RunDirectory(TinyData.folder() + "/tiny")
        let trainer = Trainer(config: TinyData.config(), dataset: TinyData.dataset(), run: run, progress: SilentProgress())
        let outcome = try trainer.start()
        #expect(outcome.epochsCompleted == 2 && !outcome.interrupted)

        let config = try RunConfig.read(path: run.config)
        #expect(config == TinyData.config())

        let csv = try String(contentsOfFile: run.metrics, encoding: .utf8).split(separator: "\n")
        #expect(csv[0] == "epoch,split,loss,recon,kl,nelbo,beta,capacity,seconds,kl_0,kl_1,kl_2,kl_3")
        #expect(csv.count == 1 + 3 * 2)
        let metrics = try MetricsLog.read(path: run.metrics)
        #expect(metrics.rows.map(\.epoch) == [0, 0, 1, 1, 2, 2])
        #expect(metrics.rows.map(\.split) == ["train", "test", "train", "test", "train", "test"])
        for row in metrics.rows {
            #expect(abs(row.nelbo - (row.recon + row.kl)) < 1e-4)
            #expect(abs(row.kl - row.klPerDimension.reduce(0, +)) < 1e-3)
        }
        let test = metrics.rows(split: "test")
        #expect(test[2].nelbo < test[0].nelbo - 50, "training should lower the test NELBO: \(test.map(\.nelbo))")

        let names = Set(try FileManager.default.contentsOfDirectory(atPath: run.checkpoints))
        #expect(names == ["epoch-0000.safetensors", "epoch-0001.safetensors", "epoch-0002.safetensors", "latest.safetensors"])
        let checkpoint = try SafetensorsFile.read(path: run.latestCheckpoint)
        #expect(checkpoint.tensors["encoder.0.weight"]?.shape == [32, 784])
        #expect(checkpoint.tensors["encoder.2.weight"]?.shape == [8, 32])
        #expect(checkpoint.tensors["decoder.0.weight"]?.shape == [32, 4])
        #expect(checkpoint.tensors["decoder.2.bias"]?.shape == [784])
        #expect(checkpoint.tensors["adam.exp_avg_sq.decoder.2.weight"]?.shape == [784, 32])
        #expect(checkpoint.metadata["step"] == "20")   // 2 epochs × ⌈300/32⌉ batches
        #expect(checkpoint.metadata["epoch"] == "2")
        #expect(try Data(contentsOf: URL(fileURLWithPath: run.latestCheckpoint)) == Data(contentsOf: URL(fileURLWithPath: run.checkpoint(epoch: 2))))

        #expect(run.snapshotEpochs() == [0, 1, 2])
        let snapshot = try Snapshot.load(path: run.snapshot(epoch: 2), spec: config.model)
        #expect(snapshot.means.shape == [100, 4])
        #expect(snapshot.labels == (0..<100).map { $0 % 10 })
        #expect(snapshot.reconstructions.shape == [16, 1, 28, 28])
        #expect(snapshot.validationImages == TinyData.dataset().test.batch(Array(0..<16)))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: run.checkpoints).filter { $0.contains(".tmp") }
        #expect(leftovers.isEmpty)
    }

    /// Training 1 epoch and resuming to 3 gives the same weights, bit for bit, as 3 straight epochs.
    @Test func resumeEqualsUninterruptedRun() throws {
        let straight = RunDirectory(TinyData.folder() + "/a")
        _ = try Trainer(config: TinyData.config(epochs: 3), dataset: TinyData.dataset(), run: straight, progress: SilentProgress()).start()
        let split = RunDirectory(TinyData.folder() + "/b")
        _ = try Trainer(config: TinyData.config(epochs: 1), dataset: TinyData.dataset(), run: split, progress: SilentProgress()).start()
        _ = try Trainer(config: TinyData.config(epochs: 3), dataset: TinyData.dataset(), run: split, progress: SilentProgress()).resume()
        let a = try SafetensorsFile.read(path: straight.latestCheckpoint)
        let b = try SafetensorsFile.read(path: split.latestCheckpoint)
        #expect(a.names == b.names)
        for name in a.names { #expect(try a.tensor(name) == b.tensor(name), "\(name) differs") }
        #expect(try MetricsLog.read(path: straight.metrics).rows.map(\.nelbo) == MetricsLog.read(path: split.metrics).rows.map(\.nelbo))
    }

    @Test func nonFiniteLossStopsAndKeepsTheLastGoodCheckpoint() throws {
        let run = RunDirectory(TinyData.folder() + "/nan")
        let trainer = Trainer(config: TinyData.config(lr: 1e30, likelihood: .gaussian), dataset: TinyData.dataset(), run: run,
                              progress: SilentProgress())
        var caught: TrainingError?
        do { _ = try trainer.start() } catch { caught = error }
        guard case .nonFinite(let epoch, let step, _)? = caught else { Issue.record("expected a non-finite error, got \(String(describing: caught))"); return }
        #expect(epoch == 1 && step >= 1)
        #expect(caught?.description.contains("epoch 1, step \(step)") == true)
        // The epoch-0 checkpoint is still the latest and loads.
        let file = try SafetensorsFile.read(path: run.latestCheckpoint)
        #expect(file.metadata["epoch"] == "0")
        for name in file.names { #expect(try file.tensor(name).isFinite) }
    }

    @Test func lockRefusesASecondTrainer() throws {
        let run = RunDirectory(TinyData.folder() + "/locked")
        let lock = try RunLock(run: run)
        #expect(throws: TrainingError.runLocked(path: run.path, pid: getpid())) { _ = try RunLock(run: run) }
        let trainer = Trainer(config: TinyData.config(), dataset: TinyData.dataset(), run: run, progress: SilentProgress())
        _ = trainer   // the CLI takes the lock before training; a held lock refuses it (CLITests)
        let pid = try String(contentsOfFile: run.lock, encoding: .utf8)
        #expect(pid == "\(getpid())\n")
        lock.release()
        // The kernel holds the lock, not the file: a file naming a live unrelated process (pid 1)
        // or a dead one blocks nobody.
        for owner in ["1\n", "999999\n"] {
            try owner.write(toFile: run.lock, atomically: false, encoding: .utf8)
            let again = try RunLock(run: run)
            #expect(try String(contentsOfFile: run.lock, encoding: .utf8) == "\(getpid())\n")
            again.release()
        }
    }
}
