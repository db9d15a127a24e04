import Foundation
import Training

/// Trains the MLP VAE as a user would (`betavae train`) and runs the PyTorch and JAX anchors of
/// ../shared/bench on the same machine in the same run; then `burgess` on sprites.
enum TrainingBench {
    struct EpochFigures { var seconds: Double; var imagesPerSecond: Double; var testNELBO: Double }

    /// FLOPs to train one image of the 784-400-20 MLP VAE: 3 × 2 × (784·400 + 400·40 + 20·400 + 400·784)
    /// multiply-adds (forward, and backward's two products per layer).
    static let mlpFlopsPerImage = 3.0 * 2 * Double(784 * 400 + 400 * 40 + 20 * 400 + 400 * 784)

    static let epochs = Int(ProcessInfo.processInfo.environment["BENCH_EPOCHS"] ?? "") ?? 10

    static func run(binary: String) {
        print("== training: mlp 784-400-20, batch 128, Adam 1e-3, β = 1, Fashion-MNIST, \(epochs) epochs")
        let folder = NSTemporaryDirectory() + "betavae-bench-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // BENCH_BASELINE_BINARY: another build of betavae (say, the last release) trained first in
        // the same run, so a change's cost is read from one machine state, not two runs.
        let baselineBinary = ProcessInfo.processInfo.environment["BENCH_BASELINE_BINARY"]
        let baseline = baselineBinary.flatMap {
            runOurs(binary: $0, arguments: ["--epochs", String(epochs), "--out", folder + "/mlp-baseline"], run: folder + "/mlp-baseline")
        }
        let ours = runOurs(binary: binary, arguments: ["--epochs", String(epochs), "--out", folder + "/mlp"], run: folder + "/mlp")
        let shared = sharedBenchFolder()
        let torch = shared.flatMap { anchor("/usr/bin/python3", [$0 + "/torch_vae.py", "--epochs", String(epochs), "--threads", "2"]) }
        let jax = shared.flatMap { anchor("/tmp/jaxenv/bin/python", [$0 + "/jax_vae.py", "--epochs", String(epochs)]) }
        print("engine".padding(toLength: 46, withPad: " ", startingAt: 0) + "steady img/s   s/epoch   NELBO@2   NELBO@\(epochs)   GFLOPS  of sgemm")
        var engines: [(String, [EpochFigures]?)] = [("betavae (this run)", ours?.epochs)]
        if baselineBinary != nil { engines.append(("betavae, BENCH_BASELINE_BINARY", baseline?.epochs)) }
        engines += [("PyTorch (torch_vae.py)", torch), ("JAX (jax_vae.py)", jax)]
        for (name, figures) in engines {
            guard let figures, figures.count >= 3 else {
                print(name.padding(toLength: 46, withPad: " ", startingAt: 0) + "not run (see ../shared/bench/README.md)")
                continue
            }
            // Steady state: epochs 2 and 3 (JAX's first epoch includes compilation).
            let steady = figures[1...2].map(\.imagesPerSecond).reduce(0, +) / 2
            let seconds = figures[1...2].map(\.seconds).reduce(0, +) / 2
            let last = figures.count >= epochs ? String(format: "%9.2f", figures[epochs - 1].testNELBO) : "        –"
            let gflops = steady * mlpFlopsPerImage / 1e9
            print(name.padding(toLength: 46, withPad: " ", startingAt: 0)
                  + String(format: "%12.0f %9.2f %9.2f", steady, seconds, figures[1].testNELBO) + last
                  + String(format: " %8.1f %8.0f%%", gflops, 100 * gflops / SgemmLibraries.engineRate))
        }
        if let ours { row("peak RSS of betavae train (mlp, Fashion-MNIST)", String(format: "%7.0f MB", ours.peakMegabytes)) }

        burgess(binary: binary, folder: folder, shared: shared)
    }

    /// The burgess net (74.8 MFLOP to train one image, ../shared/bench/burgess_flops.py) on
    /// sprites, batch 64, Z = 10: betavae and the shared PyTorch and JAX anchors in the same run,
    /// each at its steady (second) epoch, with the GFLOPS each rate implies and its fraction of the
    /// engine's sgemm rate measured in this run (section engine).
    static func burgess(binary: String, folder: String, shared: String?) {
        print("== training: burgess (64×64 conv), sprites, batch 64, Z = 10, β = 4, Adam 5e-4, 2 epochs")
        let arguments = ["--dataset", "sprites", "--model", "burgess", "--latent", "10", "--batch-size", "64",
                         "--beta", "4", "--lr", "5e-4", "--epochs", "2", "--limit", "12800", "--test-limit", "1000"]
        // The baseline build (BENCH_BASELINE_BINARY) first, as for the MLP: one machine state for both.
        let baseline = ProcessInfo.processInfo.environment["BENCH_BASELINE_BINARY"].flatMap {
            runOurs(binary: $0, arguments: arguments + ["--out", folder + "/burgess-baseline"], run: folder + "/burgess-baseline")
        }
        let ours = runOurs(binary: binary, arguments: arguments + ["--out", folder + "/burgess"], run: folder + "/burgess")
        let anchorArguments = ["--epochs", "2", "--limit", "5000", "--threads", "2"]
        let torch = shared.flatMap { anchor("/usr/bin/python3", [$0 + "/torch_burgess.py"] + anchorArguments) }
        let jax = shared.flatMap { anchor("/tmp/jaxenv/bin/python", [$0 + "/jax_burgess.py"] + anchorArguments) }
        let sgemm = SgemmLibraries.engineRate
        print("engine".padding(toLength: 46, withPad: " ", startingAt: 0) + "steady img/s    GFLOPS   of sgemm (\(sgemm.isNaN ? "not measured" : String(format: "%.0f GFLOPS", sgemm)))")
        var engines: [(String, [EpochFigures]?)] = [("betavae (this run, 12,800 images)", ours?.epochs)]
        if ProcessInfo.processInfo.environment["BENCH_BASELINE_BINARY"] != nil { engines.append(("betavae, BENCH_BASELINE_BINARY", baseline?.epochs)) }
        engines += [("PyTorch (torch_burgess.py, 5,000 images)", torch), ("JAX (jax_burgess.py, 5,000 images)", jax)]
        for (name, figures) in engines {
            guard let figures, figures.count >= 2 else {
                print(name.padding(toLength: 46, withPad: " ", startingAt: 0) + "not run (see ../shared/bench/README.md)")
                continue
            }
            let rate = figures[1].imagesPerSecond, gflops = rate * 74.8e6 / 1e9
            print(name.padding(toLength: 46, withPad: " ", startingAt: 0)
                  + String(format: "%12.0f %9.1f %9.0f%%", rate, gflops, 100 * gflops / sgemm))
        }
    }

    /// Runs `betavae train` under GNU time (for that process's own peak RSS), then reads per-epoch
    /// seconds and test NELBO from metrics.csv.
    static func runOurs(binary: String, arguments: [String], run: String) -> (epochs: [EpochFigures], peakMegabytes: Double)? {
        let process = Process()
        let rssFile = run + ".rss"
        try? FileManager.default.createDirectory(atPath: URL(fileURLWithPath: run).deletingLastPathComponent().path, withIntermediateDirectories: true)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        process.arguments = ["-f", "%M", "-o", rssFile, binary, "train", "--force", "--snapshot-every", "1000"] + arguments
        process.standardOutput = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        process.waitUntilExit()
        let kilobytes = (try? String(contentsOfFile: rssFile, encoding: .utf8)).flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? .nan
        guard process.terminationStatus == 0, let log = try? MetricsLog.read(path: run + "/metrics.csv"),
              let config = try? RunConfig.read(path: run + "/config.json") else { return nil }
        let train = log.rows(split: "train").filter { $0.epoch > 0 }
        let test = log.rows(split: "test").filter { $0.epoch > 0 }
        let figures = zip(train, test).map { EpochFigures(seconds: $0.seconds, imagesPerSecond: Double(config.trainCount) / $0.seconds,
                                                           testNELBO: $1.nelbo) }
        return (figures, kilobytes / 1024)
    }

    /// Runs an anchor script and parses its JSON lines.
    static func anchor(_ python: String, _ arguments: [String]) -> [EpochFigures]? {
        guard let (_, output) = runProgram(python, arguments) else { return nil }
        let figures = output.split(separator: "\n").compactMap { line -> EpochFigures? in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let seconds = object["seconds"] as? Double, let rate = object["images_per_s"] as? Double else { return nil }
            // The burgess anchors print no test NELBO.
            return EpochFigures(seconds: seconds, imagesPerSecond: rate, testNELBO: object["test_nelbo"] as? Double ?? .nan)
        }
        return figures.isEmpty ? nil : figures
    }

    /// The last line a Python script prints (nil when it cannot run).
    static func pythonLine(_ python: String, _ arguments: [String]) -> String? {
        guard let (status, output) = runProgram(python, arguments), status == 0 else { return nil }
        return output.split(separator: "\n").last.map(String.init)
    }

    static func sharedBenchFolder() -> String? {
        let path = FileManager.default.currentDirectoryPath + "/../shared/bench"
        return FileManager.default.fileExists(atPath: path + "/torch_vae.py") ? path : nil
    }
}
