import ArgumentParser
import Engine
import Foundation
import Analysis
import Report
import Training

/// `betavae report RUN`: the HTML report of a run, regenerated from the run directory alone.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a run's HTML report and figures (default reports/NAME/index.html).")

    @Argument(help: "The run directory.")
    var runPath: String
    @Option(help: "Output folder (default: reports/NAME).")
    var out: String?
    @Option(help: "Regenerate only these figures (comma-separated: \(RunReport.figureNames.joined(separator: ","))).")
    var figures: String?
    @Option(help: "Importance samples K when evaluation.json has to be computed (default: per architecture, \(EvaluationDefaults.samplesByArchitecture)).")
    var iwaeSamples: Int?
    @Option(help: "Traversal range: fixed (±3), prior (5%–95% quantiles), posterior (±2σ of the test means), minmax.")
    var traversalRange = "fixed"
    @Flag(help: "Traverse around the zero code instead of test image 0's posterior mean.")
    var traversalFromZero = false
    @Option(help: "Figure sizes: screen (about 1000 pt wide, text 9–11 pt) or paper (one column, 3.25 in = 234 pt wide, text 8–9 pt, PNG at 300 dpi).")
    var figureStyle = "screen"

    func validate() throws {
        try OptionChecks.iwaeSamples(iwaeSamples)
        if let figures {
            let unknown = try OptionChecks.list(figures, option: "--figures").filter { !RunReport.figureNames.contains($0) }
            guard unknown.isEmpty else {
                throw ValidationError("--figures: unknown figure '\(unknown[0])'; the figures are \(RunReport.figureNames.joined(separator: ","))")
            }
        }
        try OptionChecks.figureStyle(figureStyle)
        guard TraversalRange(rawValue: traversalRange) != nil else {
            throw ValidationError("--traversal-range must be fixed, prior, posterior or minmax, not '\(traversalRange)'")
        }
    }

    func run() throws {
        try reportingErrors {
            let folder = out ?? "reports/" + RunDirectory(runPath).name
            try OutputCheck.folder(folder, option: out == nil ? nil : "--out")   // before any work; the run's evaluation.json is checked before one is computed
            let only = figures.map { Set($0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }) }
            let templates = try Templates()
            let page = try RunReport.write(run: runPath, to: folder, only: only, policy: OptionChecks.evaluationPolicy(iwaeSamples: iwaeSamples),
                                           templates: templates,
                                           traversal: TraversalOptions(range: TraversalRange(rawValue: traversalRange) ?? .fixed,
                                                                       fromZero: traversalFromZero),
                                           style: FigureStyle(rawValue: figureStyle) ?? .screen,
                                           indexed: OptionChecks.indexFolder(out: out).map { _ in true })
            if let index = OptionChecks.indexFolder(out: out) { try ReportIndex.write(reportsFolder: index, templates: templates) }
            print(page)
        }
    }
}
