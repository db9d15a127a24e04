import Datasets
import Engine
import Foundation
import Models
import Testing
import Analysis
import Plot
@testable import Report
@testable import Training

/// Reports of tiny runs: every figure exists, is a valid PNG of the size it claims, is referenced,
/// nothing referenced is missing, values are escaped, output is byte-identical when regenerated.
@Suite(.serialized) struct ReportTests {
    /// The repository's templates/ folder (tests run from anywhere).
    static let templatesFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../templates").standardized.path

    static func folder() -> String {
        let path = NSTemporaryDirectory() + "betavae-report-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A tiny IDX dataset on disk (so the run can be reloaded by name) and a 2-epoch run on it.
    static func tinyRun(name: String, beta: Double, folder: String, latent: Int = 3, conditional: Bool = false, seed: UInt64 = 1) throws -> String {
        let data = folder + "/data"
        if !FileManager.default.fileExists(atPath: data) {
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            func be(_ v: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8((v >> $0) & 0xFF) } }
            for (stem, n) in [("train", 200), ("t10k", 60)] {
                var pixels = [UInt8](repeating: 0, count: n * 784), labels = [UInt8]()
                for i in 0..<n {
                    labels.append(UInt8(i % 10))
                    for x in 4..<24 { pixels[i * 784 + (3 + 2 * (i % 10)) * 28 + x] = 220 }
                }
                FileManager.default.createFile(atPath: "\(data)/\(stem)-images-idx3-ubyte", contents: Data(be(0x803) + be(n) + be(28) + be(28) + pixels))
                FileManager.default.createFile(atPath: "\(data)/\(stem)-labels-idx1-ubyte", contents: Data(be(0x801) + be(n) + labels))
            }
        }
        let dataset = try DatasetCatalog.load("idx:" + data, options: DatasetOptions())
        let config = RunConfig(toolVersion: "test", name: name, dataset: "idx:" + data, dataDirectory: nil, limit: nil, testLimit: nil,
                               binarize: "none", channels: 1,
                               model: ModelSpec(architecture: .mlp, imageShape: [1, 28, 28], hidden: [32], latent: latent,
                                                conditionClasses: conditional ? 10 : 0),
                               objective: .beta(beta), epochs: 2, batchSize: 32, learningRate: 2e-3, clipNorm: nil, seed: seed,
                               snapshotEvery: 1, threads: 1, trainCount: 200, testCount: 60, classNames: (0..<10).map(String.init),
                               datasetSource: data)
        let run = RunDirectory(folder + "/runs/" + name)
        _ = try Trainer(config: config, dataset: dataset, run: run, progress: SilentProgress()).start()
        return run.path
    }

    /// PNG width and height from the IHDR chunk.
    static func pngSize(_ path: String) -> (Int, Int)? {
        guard let data = FileManager.default.contents(atPath: path), data.count > 24 else { return nil }
        let bytes = [UInt8](data)
        guard bytes.prefix(8) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], Array(bytes[12..<16]) == Array("IHDR".utf8) else { return nil }
        return (bytes[16..<20].reduce(0) { $0 << 8 | Int($1) }, bytes[20..<24].reduce(0) { $0 << 8 | Int($1) })
    }

    /// Every src/href in a page that points at a local file.
    static func localReferences(_ html: String) -> [String] {
        let pattern = try? NSRegularExpression(pattern: "(?:src|href)=\"([^\"#]+)\"")
        let ns = html as NSString
        return (pattern?.matches(in: html, range: NSRange(location: 0, length: ns.length)) ?? []).map { ns.substring(with: $0.range(at: 1)) }
    }

    @Test func reportHasEveryFigureReferencedAndValid() throws {
        let folder = Self.folder()
        let run = try Self.tinyRun(name: "tiny-cvae", beta: 1, folder: folder, latent: 2, conditional: true)
        let templates = try Templates(folder: Self.templatesFolder)
        let out = folder + "/reports/tiny-cvae"
        let page = try RunReport.write(run: run, to: out, policy: EvaluationPolicy(iwaeSamples: 20), templates: templates)
        let html = try String(contentsOfFile: page, encoding: .utf8)
        let figures = try FileManager.default.contentsOfDirectory(atPath: out + "/figures").sorted()
        // Z = 2 and conditional: the manifold and the class grid are there too; labelled data gets
        // the latent × label mutual information.
        // Every static figure as PNG and PDF, charts also as SVG, animations as GIF.
        let charts = ["factor-mi", "kl-per-dim", "latent-pca", "loss-curves"]
        let grids = ["class-grid", "interpolations", "manifold", "posterior-grid", "reconstructions", "samples", "traversals"]
        let expected = (charts.flatMap { ["\($0).pdf", "\($0).png", "\($0).svg"] } + grids.flatMap { ["\($0).pdf", "\($0).png"] }
                        + ["reconstructions-animated.gif", "traversals-animated.gif"]).sorted()
        #expect(figures == expected)
        for name in figures where name.hasSuffix(".png") {
            #expect(html.contains("src=\"figures/\(name)\""), "\(name) not referenced")
            let size = Self.pngSize(out + "/figures/" + name)
            #expect(size != nil, "\(name) is not a PNG")
            // Written at 2×: the pixel size is twice the width and height the page declares.
            let declared = try NSRegularExpression(pattern: "src=\"figures/\(name)\"[^>]*width=\"([0-9]+)\" height=\"([0-9]+)\"")
            let ns = html as NSString
            if let match = declared.firstMatch(in: html, range: NSRange(location: 0, length: ns.length)), let size {
                #expect(size.0 == 2 * Int(ns.substring(with: match.range(at: 1)))!)
                #expect(size.1 == 2 * Int(ns.substring(with: match.range(at: 2)))!)
            } else {
                Issue.record("\(name) has no declared size")
            }
        }
        for reference in Self.localReferences(html) where !reference.hasPrefix("../") {
            #expect(FileManager.default.fileExists(atPath: out + "/" + reference), "\(reference) is referenced but missing")
        }
        #expect(!html.contains("http://") && !html.contains("https://"), "the page must not load anything from the network")
        #expect(html.contains("<figcaption>") && html.contains("alt=\""))
        #expect(FileManager.default.fileExists(atPath: run + "/evaluation.json"))
        #expect(html.contains("IWAE NLL") && html.contains("K = 20 importance samples over"))
    }

    /// The animated figures: GIFs of the declared size, 20 traversal frames of 8 cs and one
    /// reconstruction frame per snapshot epoch of 50 cs, looping forever, frames that differ; the
    /// page shows each beside its static figure with alt text; `--figures traversals-animated`
    /// rewrites only that file.
    @Test func animatedFiguresAreLoopingGIFsOnThePage() throws {
        let folder = Self.folder()
        let run = try Self.tinyRun(name: "tiny-gif", beta: 1, folder: folder)
        let templates = try Templates(folder: Self.templatesFolder)
        let out = folder + "/reports/tiny-gif"
        let page = try RunReport.write(run: run, to: out, policy: EvaluationPolicy(iwaeSamples: 20), templates: templates)
        let html = try String(contentsOfFile: page, encoding: .utf8)
        for (name, frames, delay) in [("traversals-animated", 20, 8), ("reconstructions-animated", 3, 50)] {
            let decoded = try #require(DecodedGIF(path: out + "/figures/\(name).gif"), "\(name).gif does not decode")
            #expect(decoded.frames.count == frames, "\(name)")
            #expect(decoded.delays == [Int](repeating: delay, count: frames), "\(name)")
            #expect(decoded.loopsForever, "\(name)")
            #expect(Set(decoded.frames).count > 1, "\(name): frames do not differ")
            let declared = try NSRegularExpression(pattern: "<img src=\"figures/\(name).gif\" alt=\"[^\"]+\" width=\"([0-9]+)\" height=\"([0-9]+)\"")
            let ns = html as NSString
            let match = try #require(declared.firstMatch(in: html, range: NSRange(location: 0, length: ns.length)), "\(name) not on the page")
            #expect(decoded.width == Int(ns.substring(with: match.range(at: 1)))! && decoded.height == Int(ns.substring(with: match.range(at: 2)))!)
        }
        // The traversal sweeps z out and back: frame k and frame 20 − k show the same column.
        let traversal = try #require(DecodedGIF(path: out + "/figures/traversals-animated.gif"))
        #expect(traversal.frames[0] != traversal.frames[10])
        // Beside the static figures, in page order.
        let order = ["figures/reconstructions.png", "figures/reconstructions-animated.gif", "figures/samples.png",
                     "figures/traversals.png", "figures/traversals-animated.gif", "figures/posterior-grid.png"]
        let positions = order.map { html.range(of: "src=\"\($0)\"")?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil } && positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
        #expect(html.contains("20 frames") && html.contains("8 cs each") && html.contains("from 3 below to 3 above"))
        // --figures traversals-animated rewrites that file alone.
        let names = try FileManager.default.contentsOfDirectory(atPath: out + "/figures").sorted()
        func date(_ name: String) throws -> Date? { try FileManager.default.attributesOfItem(atPath: out + "/figures/" + name)[.modificationDate] as? Date }
        let before = try names.map(date)
        let bytes = FileManager.default.contents(atPath: out + "/figures/traversals-animated.gif")
        usleep(20_000)
        try RunReport.write(run: run, to: out, only: ["traversals-animated"], policy: EvaluationPolicy(iwaeSamples: 20), templates: templates)
        for (name, old) in zip(names, before) {
            if name == "traversals-animated.gif" { #expect(try date(name) != old, "not rewritten") } else { #expect(try date(name) == old, "\(name) was rewritten") }
        }
        #expect(FileManager.default.contents(atPath: out + "/figures/traversals-animated.gif") == bytes)
        #expect(try String(contentsOfFile: page, encoding: .utf8) == html)
    }

    @Test func regeneratingGivesTheSameBytesAndFiguresCanBeChosen() throws {
        let folder = Self.folder()
        let run = try Self.tinyRun(name: "tiny", beta: 1, folder: folder)
        let templates = try Templates(folder: Self.templatesFolder)
        let a = folder + "/a", b = folder + "/b"
        try RunReport.write(run: run, to: a, policy: EvaluationPolicy(iwaeSamples: 20), templates: templates)
        try RunReport.write(run: run, to: b, policy: EvaluationPolicy(iwaeSamples: 20), templates: templates)
        for name in try FileManager.default.contentsOfDirectory(atPath: a + "/figures") + ["../index.html"] {
            #expect(FileManager.default.contents(atPath: a + "/figures/" + name) == FileManager.default.contents(atPath: b + "/figures/" + name),
                    "\(name) differs between two reports of the same run")
        }
        // --figures: on a folder with no report it says what is missing and writes nothing.
        let only = folder + "/only"
        #expect(throws: ReportError.notReported(only)) {
            try RunReport.write(run: run, to: only, only: ["samples"], policy: EvaluationPolicy(iwaeSamples: 20), templates: templates)
        }
        #expect(!FileManager.default.fileExists(atPath: only))
        // On a reported run, only the named figure's files are rewritten: the others keep their bytes
        // and modification dates, and the page still shows every figure.
        try RunReport.write(run: run, to: only, policy: EvaluationPolicy(iwaeSamples: 20), templates: templates)
        let names = try FileManager.default.contentsOfDirectory(atPath: only + "/figures").sorted()
        func stamp(_ name: String) throws -> (Data?, Date?) {
            let path = only + "/figures/" + name
            return (FileManager.default.contents(atPath: path), try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)
        }
        let before = try names.map(stamp)
        usleep(20_000)
        try RunReport.write(run: run, to: only, only: ["traversals"], policy: EvaluationPolicy(iwaeSamples: 20), templates: templates)
        #expect(try FileManager.default.contentsOfDirectory(atPath: only + "/figures").sorted() == names)
        for (name, old) in zip(names, before) {
            let new = try stamp(name)
            #expect(new.0 == old.0, "\(name) changed bytes")
            if !name.hasPrefix("traversals.") { #expect(new.1 == old.1, "\(name) was rewritten") } else { #expect(new.1 != old.1, "traversals not rewritten") }
        }
        #expect(FileManager.default.contents(atPath: only + "/index.html") == FileManager.default.contents(atPath: a + "/index.html"))
        #expect(throws: ReportError.unknownFigure("bogus", known: RunReport.figureNames)) {
            try RunReport.write(run: run, to: only, only: ["bogus"], policy: EvaluationPolicy(iwaeSamples: 20), templates: templates)
        }
    }

    @Test func traversalRangeAndBaseReachTheFigure() throws {
        let folder = Self.folder()
        let run = try Self.tinyRun(name: "trav", beta: 1, folder: folder)
        let templates = try Templates(folder: Self.templatesFolder)
        let page = try RunReport.write(run: run, to: folder + "/t", policy: EvaluationPolicy(iwaeSamples: 5), templates: templates,
                                       traversal: TraversalOptions(range: .minMax, fromZero: true))
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("from the smallest to the largest test mean") && html.contains("the zero code"))
        #expect(RunFigures.signed(-0.04) == "0.0" && RunFigures.signed(-1.25) == "−1.2" && RunFigures.signed(3) == "3.0")
        // Every row of the default traversal sweeps ±3 around its own base value: the columns give
        // the offset, true for every row (they used to show the first row's absolute values).
        let base: [Float] = [1.5, -0.5, 0.2]
        let (_, values) = LatentWalks.traversal(base: base, dimensions: [0, 1, 2], range: .fixed, steps: 11)
        let labels = RunFigures.traversalColumnLabels(TraversalOptions(range: .fixed), values: values)
        #expect(labels[0] == "base − 3" && labels[5] == "base" && labels[10] == "base + 3")
        for (row, j) in [0, 1, 2].enumerated() {
            for column in [0, 5, 10] { #expect(abs(values[row][column] - base[j] - Float(column - 5) * 0.6) < 1e-5) }
        }
        // Around the zero code, or over the prior's quantiles, every row has the same values: they label the columns.
        let (_, zero) = LatentWalks.traversal(base: [0, 0, 0], dimensions: [0, 1, 2], range: .fixed, steps: 11)
        #expect(RunFigures.traversalColumnLabels(TraversalOptions(range: .fixed, fromZero: true), values: zero)[0] == "−3.0")
        let (_, prior) = LatentWalks.traversal(base: base, dimensions: [0, 1], range: .priorQuantiles, steps: 11)
        #expect(prior[0] == prior[1])
        #expect(RunFigures.traversalColumnLabels(TraversalOptions(range: .priorQuantiles), values: prior)[0] == "−1.6")
    }

    @Test func runNameWithMarkupIsEscaped() throws {
        let folder = Self.folder()
        let run = try Self.tinyRun(name: "<script>alert(1)</script>", beta: 1, folder: folder)
        let templates = try Templates(folder: Self.templatesFolder)
        let page = try RunReport.write(run: run, to: folder + "/escaped", policy: EvaluationPolicy(iwaeSamples: 5), templates: templates)
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
    }

    @Test func configTableLeavesOutSettingsThatDoNothing() {
        let mlp = RunConfig(toolVersion: "t", name: "m", dataset: "fashion-mnist", dataDirectory: nil, limit: nil, testLimit: nil,
                            binarize: "none", channels: 3, model: ModelSpec(architecture: .mlp, imageShape: [1, 28, 28], hidden: [400], latent: 2),
                            objective: .beta(1), epochs: 1, batchSize: 8, learningRate: 1e-3, clipNorm: nil, seed: 0, snapshotEvery: 1, threads: 1)
        var burgess = mlp
        burgess.dataset = "sprites"
        burgess.model = ModelSpec(architecture: .burgess, imageShape: [1, 64, 64], latent: 10)
        var folder = mlp
        folder.dataset = "images:/data/faces"
        let keys = { (config: RunConfig) in Set(ConfigTable.rows(config).compactMap { $0["key"] }) }
        #expect(keys(mlp).contains("model.hidden") && !keys(mlp).contains("channels") && !keys(mlp).contains("clipNorm"))
        #expect(!keys(burgess).contains("model.hidden") && keys(burgess).contains("model.latent"))
        #expect(keys(folder).contains("channels"))
    }

    /// A one-epoch mlp run on 64 procedural sprites (16 test), in FOLDER/runs/NAME.
    static func spritesRun(folder: String, latent: Int, name: String = "s", beta: Double = 1) throws -> RunDirectory {
        let sprites = try DatasetCatalog.load("sprites", options: DatasetOptions(limit: 64, testLimit: 16))
        let config = RunConfig(toolVersion: "test", name: name, dataset: "sprites", dataDirectory: nil, limit: 64, testLimit: 16, binarize: "none",
                               channels: 1, model: ModelSpec(architecture: .mlp, imageShape: [1, 64, 64], hidden: [16], latent: latent),
                               objective: .beta(beta), epochs: 1, batchSize: 32, learningRate: 1e-3, clipNorm: nil, seed: 0, snapshotEvery: 1, threads: 1)
        let run = RunDirectory(folder + "/runs/" + name)
        _ = try Trainer(config: config, dataset: sprites, run: run, progress: SilentProgress()).start()
        return run
    }

    /// The report template rendered with a fixed context equals the committed snapshot.
    @Test func htmlSnapshot() throws {
        let templates = try Templates(folder: Self.templatesFolder)
        let context: [String: Any] = [
            "indexLink": true, "title": "snapshot & <run>", "summary": "fashion-mnist, mlp, Z = 2, β = 4, 3 epochs", "collapse": true, "activeCount": 1,
            "metrics": [["name": "test NELBO (β = 1)", "value": "250.00 nats", "note": "reconstruction + KL, per image"]],
            "figures": [WrittenFigure(name: "samples", title: "Samples", caption: "64 decodes of z ~ N(0, I).", alt: "grid", png: "figures/samples.png",
                                      svg: nil, width: 400, height: 400).context,
                        WrittenFigure(name: "loss-curves", title: "Loss curves", caption: "Per-image NELBO.", alt: "lines", png: "figures/loss-curves.png",
                                      svg: "figures/loss-curves.svg", pdf: "figures/loss-curves.pdf", width: 960, height: 300,
                                      sizeNote: "960 × 300 pt, text 8–11 pt").context],
            "config": [["key": "model.latent", "value": "2"]],
            "toolVersion": "0.1.0",
        ]
        let html = try templates.render("report", context)
        guard let expectedURL = Bundle.module.url(forResource: "Fixtures/report-snapshot.html", withExtension: nil),
              let expected = try? String(contentsOf: expectedURL, encoding: .utf8) else {
            // Write what was rendered so a new snapshot can be reviewed and committed.
            try? html.write(toFile: NSTemporaryDirectory() + "report-snapshot.html", atomically: true, encoding: .utf8)
            Issue.record("snapshot fixture missing; the render is in \(NSTemporaryDirectory())report-snapshot.html"); return
        }
        #expect(html == expected)
    }
}
