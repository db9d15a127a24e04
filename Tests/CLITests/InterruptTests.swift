import Engine
import Foundation
import Testing

/// Ctrl-C during training, tested the way it failed (issue 25, class 3): oneDNN 2.6's JIT sgemm
/// moves the stack pointer into a heap workspace, so a signal handler running on a computing
/// thread wrote its frame over the heap ("corrupted size vs. prev_size", exit 134 or 139, or a
/// "clean" 130 with damaged weights). The binary now blocks SIGINT and SIGTERM before any thread
/// exists and takes them on one thread of its own (SignalWatcher).
///
/// `make test` sends a few signals; `BETAVAE_SIGINT_SOAK=N` sends N to each training, on larger
/// data so that N fit in one run (scripts/sigint-soak.sh: 20 each through the release binary).
@Suite(.serialized) struct InterruptTests {
    static let soak = ProcessInfo.processInfo.environment["BETAVAE_SIGINT_SOAK"].flatMap { Int($0) }

    /// The threads of process `pid`: name and blocked-signal mask (SigBlk of /proc/PID/task/T/status).
    static func threads(of pid: Int32) -> [(name: String, blocked: UInt64, waiting: String)] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.compactMap { task in
            guard let status = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/status", encoding: .utf8),
                  let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigBlk:") }),
                  let mask = UInt64(line.dropFirst(7).trimmingCharacters(in: .whitespaces), radix: 16) else { return nil }
            let name = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/comm", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            let waiting = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/wchan", encoding: .utf8)) ?? ""
            return (name, mask, waiting)
        }
    }

    static func waitFor(_ path: String, seconds: Double = 120) {
        let deadline = Date().addingTimeInterval(seconds)
        while !FileManager.default.fileExists(atPath: path) && Date() < deadline { usleep(10_000) }
    }

    /// Runs betavae to its end, returning its status and stderr.
    static func finish(_ process: Process, _ out: Pipe, _ err: Pipe) -> (status: Int32, signalled: Bool, stderr: String, stdout: String) {
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, process.terminationReason == .uncaughtSignal, stderr, stdout)
    }

    /// While two engine threads train, every thread but the receiver blocks SIGINT and SIGTERM
    /// (bits 1 and 14 of SigBlk; the receiver shows them unblocked while it waits in sigwait), and
    /// a SIGINT then stops the run with a checkpoint and exit 130.
    @Test func onlyTheReceiverTakesTheStopSignals() throws {
        let data = CLITests.idxFolder(count: 3000)
        let run = data + "/run"
        let (process, out, err) = try CLITests.start(["train", "--dataset", "idx:" + data, "--epochs", "500", "--latent", "3",
                                                      "--batch-size", "16", "--threads", "2", "--out", run])
        Self.waitFor(run + "/metrics.csv")
        usleep(200_000)   // inside the first epoch: the pool's helper and oneDNN have started
        let threads = Self.threads(of: process.processIdentifier)
        process.interrupt()
        let result = Self.finish(process, out, err)
        let stopSignals: UInt64 = 1 << (UInt64(SIGINT) - 1) | 1 << (UInt64(SIGTERM) - 1)
        // The receiver, by its name or, when Foundation lost the race to name it, by where it waits.
        let receivers = threads.filter { $0.name == "betavae-signals" || $0.waiting.contains("sigtimedwait") }
        #expect(receivers.count == 1, "\(threads)")
        #expect(threads.count >= 3, "expected the main thread, the receiver and an engine helper: \(threads)")
        for thread in threads where thread.name != "betavae-signals" && !thread.waiting.contains("sigtimedwait") {
            #expect(thread.blocked & stopSignals == stopSignals, "thread \(thread.name) takes SIGINT or SIGTERM: SigBlk \(String(thread.blocked, radix: 16))")
        }
        #expect(result.status == 130 && !result.signalled, "\(result)")
        #expect(FileManager.default.fileExists(atPath: run + "/checkpoints/latest.safetensors"))
    }

    /// A training interrupted `count` times at random moments, each time exiting 130 and resumed,
    /// ends with the weights and Adam moments, bit for bit, of the same training never stopped.
    static func expectInterruptsResumeBitIdentical(_ train: [String], in folder: String, count: Int) throws {
        let straight = folder + "/straight", stopped = folder + "/stopped"
        let started = Date()
        let plain = try CLITests.run(train + ["--out", straight])
        #expect(plain.status == 0, "\(plain.stderr)")
        let total = Date().timeIntervalSince(started)
        var delays: [Double] = [], landed = 0
        var startup = 0.0, longest = total / Double(count + 1)
        for index in 0...count {
            let launched = Date()
            let (process, out, err) = try CLITests.start(index == 0 ? train + ["--out", stopped] : ["train", "--resume", stopped])
            if index == 0 {
                waitFor(stopped + "/checkpoints/latest.safetensors")   // so that it can resume
                startup = Date().timeIntervalSince(launched)   // loading and epoch 0 before training
                longest = max(total - startup, 0.2) / Double(count + 1)   // of the training time only
            }
            if index < count {
                // Each stop lands before the training could end: the runs between signals together
                // last less than the uninterrupted one. A stop may land while a resume is still
                // loading (exit 130 at once, nothing saved): the summary line counts those apart.
                let delay = (index == 0 ? startup : 0) + Double.random(in: min(0.1, longest / 2)...max(longest, 0.1))
                delays.append(delay)
                usleep(UInt32(max(0, delay - Date().timeIntervalSince(launched)) * 1e6))
                process.interrupt()
            }
            let result = finish(process, out, err)
            if index < count, (result.stdout + result.stderr).contains("checkpoint saved to") { landed += 1 }
            let expected: Int32 = index < count ? 130 : 0
            #expect(result.status == expected && !result.signalled,
                    "\(index < count ? "interrupt \(index + 1) of \(count)" : "last resume"), after \(delays): exit \(result.status), \(result.stderr)")
            #expect(!result.stderr.contains("corrupted") && !result.stderr.contains("malloc"), "\(result.stderr)")
            guard result.status == expected else { return }
        }
        let a = try SafetensorsFile.read(path: straight + "/checkpoints/latest.safetensors")
        let b = try SafetensorsFile.read(path: stopped + "/checkpoints/latest.safetensors")
        #expect(a.names.sorted() == b.names.sorted())
        for name in a.names { #expect(try a.tensor(name) == b.tensor(name), "\(name) differs after \(count) interrupts at \(delays) s") }
        #expect(a.metadata["step"] == b.metadata["step"] && a.metadata["rng_state"] == b.metadata["rng_state"])
        // The soak's figures: how many stops landed while training (a checkpoint was saved), the rest while loading.
        print("interrupts: \(count), \(landed) during training; uninterrupted run \(String(format: "%.2f", total)) s (loading \(String(format: "%.2f", startup)) s); "
              + "delays \(String(format: "%.2f", delays.min() ?? 0))–\(String(format: "%.2f", delays.max() ?? 0)) s")
    }

    @Test func mlpInterruptedAtRandomMomentsResumesBitIdentical() throws {
        // Optimised (make test builds -c release), 3 epochs of 1,200 trained in 0.07 s and the
        // run ended before the first stop landed (CI, stop 30): 60 epochs train for about 1.5 s.
        let images = Self.soak == nil ? 1200 : 60_000, epochs = Self.soak == nil ? "60" : "3"
        let data = CLITests.idxFolder(count: images)
        try Self.expectInterruptsResumeBitIdentical(["train", "--dataset", "idx:" + data, "--epochs", epochs, "--batch-size", "16",
                                                     "--latent", "5", "--hidden", "64", "--seed", "7", "--threads", "2"],
                                                    in: data, count: Self.soak ?? 2)
    }

    @Test func burgessInterruptedAtRandomMomentsResumesBitIdentical() throws {
        let folder = NSTemporaryDirectory() + "betavae-interrupt-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // 2 epochs of 128 train in 0.4 s optimised; 8 give the stop room to land mid-training.
        let limit = Self.soak == nil ? "128" : "4096", epochs = Self.soak == nil ? "8" : "2"
        try Self.expectInterruptsResumeBitIdentical(["train", "--dataset", "sprites", "--model", "burgess", "--latent", "4",
                                                     "--limit", limit, "--test-limit", "32", "--batch-size", "32", "--epochs", epochs,
                                                     "--seed", "5", "--threads", "2"],
                                                    in: folder, count: Self.soak ?? 1)
    }
}
