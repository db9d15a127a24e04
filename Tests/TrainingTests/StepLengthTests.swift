import Engine
import Foundation
import Testing
import Training

/// Runs measured in optimiser steps (`train --steps`): the last epoch stops at the step, resume and
/// reuse count steps, and config.json records them. Tiny data: 300 images in batches of 32 are 10
/// steps an epoch.
@Suite struct StepLengthTests {
    static func config(steps: Int) -> RunConfig {
        var config = TinyData.config()
        config.steps = steps
        config.epochs = RunConfig.epochs(steps: steps, trainCount: config.trainCount, batchSize: config.batchSize)
        return config
    }

    static func weights(_ run: RunDirectory) throws -> [String: [Float]] {
        let file = try SafetensorsFile.read(path: run.latestCheckpoint)
        return Dictionary(uniqueKeysWithValues: try file.names.filter { $0.hasPrefix("encoder") || $0.hasPrefix("decoder") }
            .map { ($0, try file.tensor($0).scalars) })
    }

    @Test func aRunStopsAtItsStepPartWayThroughItsLastEpoch() throws {
        let run = RunDirectory(TinyData.folder() + "/run")
        let config = Self.config(steps: 25)
        #expect(config.epochs == 3 && config.problem == nil)
        let outcome = try RunTraining.start(config, dataset: TinyData.dataset(), run: run, force: false, progress: SilentProgress())
        #expect(outcome.epochsCompleted == 3 && !outcome.interrupted)
        #expect(try Checkpoint.step(path: run.latestCheckpoint) == 25)
        let position = try Checkpoint.position(path: run.latestCheckpoint)
        #expect(position.epoch == 3 && !position.midEpoch)
        #expect(try RunConfig.read(path: run.config).steps == 25)
        // The last epoch's train row averages its 5 steps: 5 × 32 images, so it exists and is finite.
        let text = try String(contentsOfFile: run.metrics, encoding: .utf8)
        #expect(text.contains("\n3,train,") && text.contains("\n3,test,"))
    }

    /// Keeps the epoch lines.
    final class Lines: ProgressReporter {
        var lines: [String] = []
        func step(epoch: Int, epochs: Int, batch: Int, batches: Int, imagesPerSecond: Double, loss: Double, secondsLeft: Double) {}
        func epochFinished(_ line: String) { lines.append(line) }
        func message(_ line: String) {}
    }

    @Test func aCutEpochsLineRatesTheImagesItTrainedOn() throws {
        let run = RunDirectory(TinyData.folder() + "/run")
        let lines = Lines()
        _ = try RunTraining.start(Self.config(steps: 25), dataset: TinyData.dataset(), run: run, force: false, progress: lines)
        // Epoch 3 trained 5 steps × 32 = 160 images, not the split's 300: its rate is 160 over its seconds.
        let line = try #require(lines.lines.last(where: { $0.contains("epoch   3/3") }))
        let fields = line.split(separator: " ")
        let rate = try #require(Double(fields[fields.count - 2]))
        let text = try String(contentsOfFile: run.metrics, encoding: .utf8)
        let row = try #require(text.split(separator: "\n").first(where: { $0.hasPrefix("3,train,") }))
        let header = text.split(separator: "\n")[0].split(separator: ",")
        let column = try #require(header.firstIndex(of: "seconds"))
        let seconds = try #require(Double(row.split(separator: ",")[column]))
        #expect(abs(rate * seconds - 160) <= 1 + seconds, "\(line): \(rate) img/s over \(seconds) s")
    }

    @Test func resumingToMoreStepsEqualsAStraightRun() throws {
        let straight = RunDirectory(TinyData.folder() + "/straight"), split = RunDirectory(TinyData.folder() + "/split")
        _ = try RunTraining.start(Self.config(steps: 35), dataset: TinyData.dataset(), run: straight, force: false, progress: SilentProgress())
        _ = try RunTraining.start(Self.config(steps: 20), dataset: TinyData.dataset(), run: split, force: false, progress: SilentProgress())
        #expect(try Checkpoint.step(path: split.latestCheckpoint) == 20)
        _ = try RunTraining.resume(split, changes: RunTraining.Changes(steps: 35), dataset: TinyData.dataset(), progress: SilentProgress())
        #expect(try Checkpoint.step(path: split.latestCheckpoint) == 35)
        let saved = try RunConfig.read(path: split.config)
        #expect(saved.steps == 35 && saved.epochs == 4)
        #expect(try Self.weights(split) == Self.weights(straight))
    }

    @Test func aCutEpochIsNotExtendedAndEpochsAreRefusedForAStepRun() throws {
        let run = RunDirectory(TinyData.folder() + "/run")
        _ = try RunTraining.start(Self.config(steps: 25), dataset: TinyData.dataset(), run: run, force: false, progress: SilentProgress())
        let before = try String(contentsOfFile: run.config, encoding: .utf8)
        #expect(throws: TrainingError.self) {
            _ = try RunTraining.resume(run, changes: RunTraining.Changes(steps: 40), dataset: TinyData.dataset(), progress: SilentProgress())
        }
        #expect(throws: TrainingError.self) {
            _ = try RunTraining.resume(run, changes: RunTraining.Changes(epochs: 5), dataset: TinyData.dataset(), progress: SilentProgress())
        }
        #expect(throws: TrainingError.self) {
            _ = try RunTraining.resume(run, changes: RunTraining.Changes(steps: 25), dataset: TinyData.dataset(), progress: SilentProgress())
        }
        #expect(try String(contentsOfFile: run.config, encoding: .utf8) == before, "a refused resume changed config.json")
    }

    @Test func reuseComparesSteps() throws {
        let run = RunDirectory(TinyData.folder() + "/run")
        _ = try RunTraining.start(Self.config(steps: 25), dataset: TinyData.dataset(), run: run, force: false, progress: SilentProgress())
        #expect(try RunTraining.trainOrReuse(Self.config(steps: 25), dataset: TinyData.dataset(), run: run, force: false, progress: SilentProgress()) == nil)
        // 21 steps also span 3 epochs: compared by epochs the run would pass as finished.
        #expect(throws: TrainingError.self) {
            _ = try RunTraining.trainOrReuse(Self.config(steps: 21), dataset: TinyData.dataset(), run: run, force: false, progress: SilentProgress())
        }
    }

    @Test func configRefusesStepsThatDisagreeWithItsEpochs() {
        var config = Self.config(steps: 25)
        config.epochs = 4
        #expect(config.problem?.contains("25 steps") == true)
        config.epochs = 3
        config.steps = 0
        #expect(config.problem?.contains("steps must be") == true)
    }
}
