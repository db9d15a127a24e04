import Foundation
import Testing
@testable import Report

/// The report's figures as a paper needs them: every static figure as a PDF that poppler opens
/// (pdftoppm) and whose labels poppler reads back as text (pdftotext); every chart's SVG with the
/// same labels as `<text>`; a 2-D latent shown as z0/z1; the manifold with its z values; a
/// conditional run called a CVAE; `--figure-style paper` at one column's width.
@Suite(.serialized) struct PaperFigureTests {
    /// Runs a poppler tool; its standard output, or nil when it fails.
    static func poppler(_ tool: String, _ arguments: [String]) throws -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/" + tool)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }

    /// The text of `pdf`, after checking that pdftoppm renders its page to a PNG.
    static func checkedText(_ pdf: String) throws -> String? {
        let stem = NSTemporaryDirectory() + "page-\(UUID())"
        guard try poppler("pdftoppm", ["-png", "-r", "30", "-singlefile", pdf, stem]) != nil,
              let size = ReportTests.pngSize(stem + ".png"), size.0 > 10, size.1 > 10 else { return nil }
        unlink(stem + ".png")
        return try poppler("pdftotext", ["-layout", pdf, "-"])
    }

    /// The contents of the `<text>` elements of an SVG.
    static func svgTexts(_ path: String) throws -> [String] {
        let svg = try String(contentsOfFile: path, encoding: .utf8)
        let pattern = try NSRegularExpression(pattern: "<text [^>]*>([^<]*)</text>")
        let ns = svg as NSString
        return pattern.matches(in: svg, range: NSRange(location: 0, length: ns.length)).map {
            ns.substring(with: $0.range(at: 1)).replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                .replacingOccurrences(of: "&amp;", with: "&")
        }
    }

    static let popplerInstalled = FileManager.default.isExecutableFile(atPath: "/usr/bin/pdftotext")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/pdftoppm")

    @Test(.enabled(if: popplerInstalled, "poppler-utils is not installed (make setup installs it)"))
    func everyFigureIsAPDFWithTextAndChartsAreSVGsWithText() throws {
        let folder = ReportTests.folder()
        let run = try ReportTests.tinyRun(name: "paper-cvae", beta: 1, folder: folder, latent: 2, conditional: true)
        let templates = try Templates(folder: ReportTests.templatesFolder)
        let out = folder + "/reports/paper-cvae"
        let page = try RunReport.write(run: run, to: out, policy: EvaluationPolicy(iwaeSamples: 5), templates: templates)
        let html = try String(contentsOfFile: page, encoding: .utf8)
        let manifest = try #require(try FigureManifest.read(out))
        // The labels each figure must carry as text (the figure's own words, not the page's).
        let labels: [String: [String]] = [
            "loss-curves": ["NELBO (β = 1)", "reconstruction", "KL", "epoch", "nats per image", "train", "test"],
            "kl-per-dim": ["over epochs", "at the end", "latent dimension", "nats", "z0", "z1"],
            "latent-pca": ["epoch 0", "epoch 2", "z0", "z1"],
            "manifold": ["z0", "z1", "−1.64", "1.64", "−0.92", "0.92"],
            "reconstructions": ["ground truth", "epoch 0", "epoch 2"],
            "class-grid": ["0", "9"],
            "factor-mi": ["latent dimension", "factor", "z0", "z1", "nats"],
        ]
        var checked = 0
        for figure in manifest where !figure.png.hasSuffix(".gif") {
            let pdf = try #require(figure.pdf, "\(figure.name) has no PDF")
            #expect(html.contains("href=\"\(pdf)\""), "\(figure.name): the page does not link its PDF")
            #expect(html.contains("(\(figure.width) × \(figure.height) pt, text 8–11 pt)"), "\(figure.name): no size note")
            let text = try #require(try Self.checkedText(out + "/" + pdf), "\(pdf) does not open in poppler")
            for label in labels[figure.name] ?? [] { #expect(text.contains(label), "\(pdf): pdftotext does not find '\(label)'") }
            if let svg = figure.svg {
                #expect(html.contains("href=\"\(svg)\""))
                let texts = Set(try Self.svgTexts(out + "/" + svg))
                for label in labels[figure.name] ?? [] { #expect(texts.contains(label), "\(svg): no <text> element reads '\(label)'") }
            }
            checked += 1
        }
        #expect(checked >= 9)
        // A 2-D latent is shown as it is: no PCA in the axis titles or the figure's title.
        let latent = try #require(manifest.first { $0.name == "latent-pca" })
        let latentTexts = try Self.svgTexts(out + "/figures/latent-pca.svg")
        #expect(latent.title == "Latent space" && !latentTexts.contains { $0.hasPrefix("PC1") })
        // A conditional model says so in the title, the summary and the reports index.
        #expect(html.contains("<h1>paper-cvae (CVAE)</h1>") && html.contains("mlp CVAE (conditioned on the label, 10 classes)"))
        let index = try String(contentsOfFile: try ReportIndex.write(reportsFolder: folder + "/reports", templates: templates), encoding: .utf8)
        #expect(index.contains("paper-cvae (CVAE)</a>"))

        // Paper style: one column (234 pt) wide, PNG at 300 dpi, text 8–9 pt, panels stacked.
        let paper = folder + "/reports/paper-style"
        try RunReport.write(run: run, to: paper, policy: EvaluationPolicy(iwaeSamples: 5), templates: templates, style: .paper)
        let info = try #require(try Self.poppler("pdfinfo", [paper + "/figures/loss-curves.pdf"]))
        #expect(info.contains("234 x 495 pts"), "\(info)")
        #expect(ReportTests.pngSize(paper + "/figures/loss-curves.png")?.0 == 975)
        #expect(ReportTests.pngSize(paper + "/figures/traversals.png")?.0 == 975)
        let sizes = try String(contentsOfFile: paper + "/figures/kl-per-dim.svg", encoding: .utf8)
            .components(separatedBy: "font-size=\"").dropFirst().map { $0.prefix { $0 != "\"" } }
        #expect(Set(sizes) == ["8", "9"])
        #expect(try String(contentsOfFile: paper + "/index.html", encoding: .utf8).contains("(234 × 495 pt, text 8–9 pt)"))
    }

    /// `compare --figure-style paper`: the comparison's charts at one column's width, text 8–9 pt.
    @Test func comparisonInPaperStyle() throws {
        let folder = ReportTests.folder()
        let runs = try [1.0, 4.0].map { try ReportTests.tinyRun(name: "paper-beta\(Int($0))", beta: $0, folder: folder) }
        let out = folder + "/reports/compare-paper"
        try Comparison.write(runs: runs, to: out, policy: EvaluationPolicy(iwaeSamples: 5), templates: try Templates(folder: ReportTests.templatesFolder),
                             style: .paper)
        let manifest = try FileManager.default.contentsOfDirectory(atPath: out + "/figures").filter { $0.hasSuffix(".svg") }
        #expect(!manifest.isEmpty)
        for svg in manifest {
            let text = try String(contentsOfFile: out + "/figures/" + svg, encoding: .utf8)
            #expect(text.contains("width=\"234pt\""), "\(svg) is not one column wide")
            let sizes = text.components(separatedBy: "font-size=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
            #expect(!sizes.isEmpty && Set(sizes).isSubset(of: ["8", "9"]), "\(svg): font sizes \(Set(sizes))")
        }
        #expect(try String(contentsOfFile: out + "/index.html", encoding: .utf8).contains("text 8–9 pt)"))
    }

    /// The loss curves' broken axis: limits fit the trained epochs when epoch 0 lies far outside
    /// them, with a note giving its value; nothing changes when epoch 0 is near.
    @Test func untrainedEpochBreaksTheAxisOnlyWhenItWouldFlattenTheRest() throws {
        let far: [(epoch: Int, value: Double)] = [(0, 549), (0, 549.2), (1, 300), (2, 270), (3, 262), (4, 258)]
        let (limits, note) = try #require(UntrainedEpoch.limits(far))
        #expect(limits.lowerBound < 258 && limits.lowerBound > 250 && limits.upperBound > 300 && limits.upperBound < 320)
        #expect(note.text == "epoch 0: 549 ↑" && limits.contains(note.y) && note.y > 300)
        let low = try #require(UntrainedEpoch.limits([(0, 0.07), (1, 11.9), (2, 13.6), (3, 14.1)]))
        #expect(low.note.text == "epoch 0: 0.070 ↓" && low.limits.lowerBound > 0.07 && low.note.y < 11.9)
        #expect(UntrainedEpoch.limits([(0, 320), (1, 300), (2, 270), (3, 262)]) == nil)
        // Beside a panel that breaks (threshold 0), any epoch 0 beyond the trained values breaks too.
        #expect(UntrainedEpoch.limits([(0, 320), (1, 300), (2, 270), (3, 262)], threshold: 0)?.note.text == "epoch 0: 320 ↑")
        #expect(UntrainedEpoch.limits([(0, 549), (1, 300), (2, 270)]) == nil, "two trained epochs are too few to break the axis for")
    }
}
