import Foundation
import Report
import Training

/// `report` of a finished 20-epoch mlp run with evaluation.json present, and `compare` of 4 runs.
enum ReportBench {
    static func run(binary: String) {
        print("== report")
        let folder = NSTemporaryDirectory() + "betavae-report-bench-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func betavae(_ arguments: [String]) -> Bool { runProgram(binary, arguments)?.status == 0 }
        let run = folder + "/runs/mlp20"
        guard betavae(["train", "--epochs", "20", "--out", run]), betavae(["evaluate", run, "--iwae-samples", "100"]),
              let templates = try? Templates() else {
            row("report", "could not train the benchmark run")
            return
        }
        let seconds = Timing.median(repeats: 3) { _ = try? RunReport.write(run: run, to: folder + "/reports/mlp20", policy: EvaluationPolicy(iwaeSamples: 100), templates: templates) }
        row("report of a 20-epoch mlp run (evaluation.json present)", String(format: "%7.2f s", seconds))
        var runs: [String] = []
        for beta in ["0.5", "1", "2", "4"] {
            let path = folder + "/runs/b\(beta)"
            guard betavae(["train", "--epochs", "2", "--limit", "10000", "--beta", beta, "--out", path]),
                  betavae(["evaluate", path, "--iwae-samples", "20"]) else { return }
            runs.append(path)
        }
        let compare = Timing.median(repeats: 3) { _ = try? Comparison.write(runs: runs, to: folder + "/reports/cmp", policy: EvaluationPolicy(iwaeSamples: 20), templates: templates) }
        row("compare of 4 mlp runs (evaluation.json present)", String(format: "%7.2f s", compare))
    }
}
