import Datasets
import Engine
import Foundation
import Models
import Testing
import Analysis
import Plot
@testable import Report
@testable import Training

/// The comparison page of tiny runs: ordering by β, grouping seeds by setting with mean ± sd, and
/// refusing runs that cannot share a page. Helpers (runs, folders, templates) are ReportTests'.
@Suite(.serialized) struct ComparisonPageTests {
    @Test func compareThreeRunsOrderedByBeta() throws {
        let folder = ReportTests.folder()
        let runs = try [4.0, 0.5, 1].map { try ReportTests.tinyRun(name: "b\($0)", beta: $0, folder: folder) }
        let templates = try Templates(folder: ReportTests.templatesFolder)
        let page = try Comparison.write(runs: runs, to: folder + "/reports/cmp", policy: EvaluationPolicy(iwaeSamples: 10), templates: templates)
        let html = try String(contentsOfFile: page, encoding: .utf8)
        let positions = ["β = 0.5", "β = 1", "β = 4"].map { html.range(of: "<td>\($0)</td>")?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil })
        if let p0 = positions[0], let p1 = positions[1], let p2 = positions[2] { #expect(p0 < p1 && p1 < p2) }
        #expect(html.contains(">baseline<"))
        for name in ["test-curves.png", "test-curves.svg", "rate-distortion.png", "kl-heatmap.png", "run-0.png", "run-1.png", "run-2.png"] {
            #expect(FileManager.default.fileExists(atPath: folder + "/reports/cmp/figures/" + name), "\(name) missing")
        }
        #expect(html.contains("<td>objective.beta</td>"))
        let index = try ReportIndex.write(reportsFolder: folder + "/reports", templates: templates)
        #expect(try String(contentsOfFile: index, encoding: .utf8).contains("href=\"cmp/index.html\""))
    }

    /// Runs that differ only in the seed form one setting: the table gives its seed count and
    /// mean ± sd, each β has one colour (the smaller β the darker), and each score is drawn against β.
    @Test func compareGroupsSeedsBySetting() throws {
        let folder = ReportTests.folder()
        let runs = try [(4.0, 1), (0.5, 1), (0.5, 2), (4.0, 2)].map { beta, seed in
            try ReportTests.tinyRun(name: "b\(beta)-s\(seed)", beta: beta, folder: folder, seed: UInt64(seed))
        }
        let templates = try Templates(folder: ReportTests.templatesFolder)
        let page = try Comparison.write(runs: runs, to: folder + "/reports/cmp", policy: EvaluationPolicy(iwaeSamples: 4), templates: templates)
        let html = try String(contentsOfFile: page, encoding: .utf8)
        let loaded = try runs.map { try RunData.load($0, policy: EvaluationPolicy(iwaeSamples: 4)) }
        let nelbos = loaded.map(\.evaluation.test.nelbo)
        let expected = SettingGroups.meanSD([nelbos[1], nelbos[2]], digits: 2)
        let mean = (nelbos[1] + nelbos[2]) / 2, sd = abs(nelbos[1] - nelbos[2]) / 2.squareRoot()
        #expect(expected == String(format: "%.2f ± %.2f", mean, sd))
        #expect(html.contains("β = 0.5</td><td class=\"number\">2</td><td class=\"number\">\(expected)</td>"), "\(expected)")
        #expect(html.contains("β = 4</td><td class=\"number\">2</td>"))
        // Two seeds per setting: UDR from each run's codes of the same images (`UDRCodes`), computed without writing into the runs.
        #expect(html.contains(ComparisonUDR.note.replacingOccurrences(of: "'", with: "&#39;")) && !runs.contains { FileManager.default.fileExists(atPath: RunDirectory($0).udrCodes) })
        for name in ["test-curves.png", "rate-distortion.png", "scores-against-beta.png", "scores-against-beta.svg", "kl-heatmap.png"] {
            #expect(FileManager.default.fileExists(atPath: folder + "/reports/cmp/figures/" + name), "\(name) missing")
        }
        let differing = Comparison.differingKeys(loaded)
        let groups = SettingGroups.groups(loaded.sorted { $0.config.objective.weight < $1.config.objective.weight }, differing: differing)
        #expect(groups.map(\.label) == ["β = 0.5", "β = 4"] && groups.map(\.members.count) == [2, 2])
        let (dark, light) = (groups[0].color, groups[1].color)
        #expect(dark.red + dark.green + dark.blue < light.red + light.green + light.blue)
        #expect(html.contains("background: \(ComparisonTables.hex(dark))"))
    }

    /// The configuration table shows only what applies to the run's model and data.
    @Test func compareRefusesDifferentImageSizes() throws {
        let folder = ReportTests.folder()
        let a = try ReportTests.tinyRun(name: "a", beta: 1, folder: folder)
        let b = try ReportTests.spritesRun(folder: folder, latent: 2)
        let templates = try Templates(folder: ReportTests.templatesFolder)
        var message = ""
        do { try Comparison.write(runs: [a, b.path], to: folder + "/x", policy: EvaluationPolicy(iwaeSamples: 5), templates: templates) } catch { message = "\(error)" }
        #expect(message.contains("runs must share a dataset and image size"))
    }

    /// Issue 25, class 9: a run's row in "Runs side by side" has no blank band between its rows.
    /// Equal rows of 280 pt left ~100 pt of white under the 2 × 8 reconstructions and samples; with
    /// each row as tall as its grids fill, no horizontal band of white is taller than the gap
    /// between a panel's title and the next row (measured: the old layout's band is checked too,
    /// so the measure can fail).
    @Test func runRowHasNoBlankBandBetweenItsRows() throws {
        let grey = GridImage(width: 8, height: 8, pixels: [Float](repeating: 0.3, count: 64))
        let twoByEight = ImageGrid(cells: [[GridImage?]](repeating: [GridImage?](repeating: grey, count: 8), count: 2), title: "reconstructions")
        let traversals = ImageGrid(cells: [[GridImage?]](repeating: [GridImage?](repeating: grey, count: 7), count: 3),
                                   rowLabels: ["z0", "z1", "z2"], title: "traversals")
        let panels: [Panel] = [.images(twoByEight), .images(twoByEight), .images(traversals), .images(traversals)]
        func longestWhiteBand(_ figure: Figure) throws -> Int {
            let (width, height, bytes) = try figure.rgba(scale: 1)
            var longest = 0, current = 0
            for y in 0..<height {
                let white = (0..<width).allSatisfy { x in (0..<3).allSatisfy { bytes[4 * (y * width + x) + $0] > 245 } }
                current = white ? current + 1 : 0
                longest = max(longest, current)
            }
            return longest
        }
        let fitted = ComparisonFigures.runRowFigure(panels, grids: [[twoByEight, twoByEight], [traversals]])
        #expect(fitted.rowHeights?.count == 2 && fitted.height < 560, "\(fitted.height)")
        let band = try longestWhiteBand(fitted), oldBand = try longestWhiteBand(Figure(width: 1100, height: 560, columns: 2, panels: panels))
        #expect(band < 40, "fitted rows: a white band of \(band) pt")   // 33 pt: the margins and the next title's space
        #expect(oldBand > 80, "the old equal rows had a band of \(oldBand) pt")
    }
}
