import Analysis
import ArgumentParser
import Engine
import Foundation
import Report
import Training

/// `betavae compare RUN RUN ...`: one page setting runs side by side.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare runs side by side (curves, rate–distortion, metrics with differences, KL heatmap, samples).")

    @Argument(help: "Two or more run directories (same dataset and image size).")
    var runs: [String]
    @Option(help: "Output folder (default: reports/compare-<first run>-<n>).")
    var out: String?
    @Option(help: "The run the differences are measured against (default: the first in order).")
    var baseline: String?
    @Option(help: "Importance samples K when evaluation.json has to be computed (default: per architecture, \(EvaluationDefaults.samplesByArchitecture)).")
    var iwaeSamples: Int?
    @Option(help: "Figure sizes: screen (about 1000 pt wide, text 9–11 pt) or paper (one column, 3.25 in = 234 pt wide, text 8–9 pt, PNG at 300 dpi).")
    var figureStyle = "screen"

    func validate() throws {
        guard runs.count >= 2 else { throw ValidationError("compare needs at least two runs") }
        try OptionChecks.iwaeSamples(iwaeSamples)
        try OptionChecks.figureStyle(figureStyle)
        let paths = runs.map { RunDirectory($0).path }
        guard Set(paths).count == paths.count else { throw ValidationError("compare: each run may be named once") }
        if let baseline, !paths.contains(RunDirectory(baseline).path) {
            throw ValidationError("--baseline \(baseline) is not one of the runs being compared")
        }
    }

    func run() throws {
        try reportingErrors {
            let folder = out ?? "reports/compare-\(URL(fileURLWithPath: runs[0]).lastPathComponent)-\(runs.count)"
            try OutputCheck.folder(folder, option: out == nil ? nil : "--out")   // before any work
            let templates = try Templates()
            let page = try Comparison.write(runs: runs, to: folder, baseline: baseline,
                                            policy: OptionChecks.evaluationPolicy(iwaeSamples: iwaeSamples), templates: templates,
                                            style: FigureStyle(rawValue: figureStyle) ?? .screen,
                                            indexed: OptionChecks.indexFolder(out: out).map { _ in true })
            if let index = OptionChecks.indexFolder(out: out) { try ReportIndex.write(reportsFolder: index, templates: templates) }
            print(page)
        }
    }
}
