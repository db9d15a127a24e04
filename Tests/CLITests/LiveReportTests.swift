import Engine
import Foundation
import Testing

/// `train --live-report`: the page follows training epoch by epoch and reloads itself, says so when
/// training is interrupted, and becomes the ordinary report when training finishes.
@Suite(.serialized) struct LiveReportTests {
    static func read(_ path: String) -> String {
        (try? AtomicFile.read(path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// The epoch a live page says it shows, when it is a live page.
    static func liveEpoch(_ html: String) -> Int? {
        guard html.contains("<meta http-equiv=\"refresh\" content=\"5\">"),
              let range = html.range(of: #"Training: epoch (\d+) of 300 saved"#, options: .regularExpression) else { return nil }
        return Int(html[range].split(separator: " ")[2])
    }

    @Test func livePageFollowsTrainingAndEndsAsTheFullReport() throws {
        let data = CLITests.idxFolder(count: 200)
        let run = data + "/run", report = data + "/report"
        let (process, out, _) = try CLITests.start(["train", "--dataset", "idx:" + data, "--hidden", "8", "--latent", "2", "--epochs", "300",
                                                    "--batch-size", "50", "--out", run, "--live-report", "--report-out", report,
                                                    "--iwae-samples", "2"])
        // Watch the page while the run trains: each epoch rewrites it and its loss curves.
        var curves: [Int: [UInt8]] = [:]
        let deadline = Date().addingTimeInterval(120)
        while curves.count < 3 && Date() < deadline && process.isRunning {
            if let epoch = Self.liveEpoch(Self.read(report + "/index.html")), curves[epoch] == nil,
               let png = try? AtomicFile.read(report + "/figures/loss-curves.png") {
                curves[epoch] = png
            }
            usleep(5_000)
        }
        process.interrupt()
        let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        #expect(curves.count >= 3, "saw live pages of epochs \(curves.keys.sorted())")
        #expect(Set(curves.values).count >= 2, "the loss curves were not redrawn as training went on")
        #expect(printed.contains("live report: \(report)/index.html"))
        // Interrupted: the page (still the live one: metrics, the cheap figures, no explorer, which
        // needs the evaluation) says so, with the command that continues, and stops reloading.
        let interrupted = Self.read(report + "/index.html")
        #expect(interrupted.contains("Metrics") && interrupted.contains("figures/kl-per-dim.png") && interrupted.contains("figures/reconstructions.png"))
        #expect(!interrupted.contains("Latent explorer"))
        #expect(interrupted.contains("Training was interrupted after epoch"))
        #expect(interrupted.contains("betavae train --resume \(run) --live-report"))
        #expect(!interrupted.contains("http-equiv=\"refresh\""))

        // Finished: the ordinary report, with the evaluation and the explorer, and no reloading.
        let saved = try SafetensorsFile.read(path: run + "/checkpoints/latest.safetensors")
        let epoch = try #require(saved.metadata["epoch"].flatMap(Int.init))
        let resumed = try CLITests.run(["train", "--resume", run, "--epochs", String(epoch + 1), "--live-report", "--report-out", report,
                                        "--iwae-samples", "2"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("report: \(report)/index.html"))
        let final = Self.read(report + "/index.html")
        #expect(!final.contains("http-equiv=\"refresh\"") && !final.contains("live-status"))
        #expect(final.contains("IWAE NLL") && final.contains("Latent explorer") && final.contains("figures/traversals.png"))
        #expect(final.contains(epoch + 1 == 1 ? "1 epoch" : "\(epoch + 1) epochs"))
    }

    @Test func liveReportOptionsNeedTheFlag() throws {
        let data = CLITests.idxFolder(count: 200)
        for extra in [["--report-out", data + "/r"], ["--iwae-samples", "5"]] {
            let result = try CLITests.run(["train", "--dataset", "idx:" + data, "--out", data + "/run"] + extra)
            #expect(result.status == 64)
            #expect(result.stderr.contains("applies only with --live-report"), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: data + "/run"))
        }
    }
}
