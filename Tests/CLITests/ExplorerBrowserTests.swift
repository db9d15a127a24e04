import Datasets
import Engine
import Foundation
import Testing

/// The report's latent explorer, in the files it writes and in a real browser (Debian's chromium
/// and chromium-driver driven by python3-selenium, through scripts/explorer_browser.py): for each
/// architecture the canvas shows betavae's own decode of a code to within 1/255 per pixel.
@Suite(.serialized) struct ExplorerBrowserTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let browserScript = repository + "/scripts/explorer_browser.py"

    /// A tiny run of each architecture (one epoch): a conditional MLP, a Gaussian conv28 and a burgess.
    struct Case {
        var name: String
        var train: [String]
        var latent: Int
        var label: Int?
    }

    static let cases: [Case] = {
        let idx = "idx:" + CLITests.idxFolder(count: 200)
        return [
            Case(name: "mlp", train: ["--dataset", idx, "--model", "mlp", "--hidden", "8", "--latent", "3", "--conditional"], latent: 3, label: 2),
            Case(name: "conv28", train: ["--dataset", idx, "--model", "conv28", "--latent", "3", "--likelihood", "gaussian"], latent: 3, label: nil),
            Case(name: "burgess", train: ["--dataset", "sprites", "--limit", "64", "--test-limit", "20", "--model", "burgess", "--latent", "4"],
                 latent: 4, label: nil),
        ]
    }()

    /// Trains and reports each case once for the suite: name → (run folder, report folder).
    static let reports: [String: (run: String, report: String)] = {
        let root = NSTemporaryDirectory() + "betavae-explorer-\(UUID().uuidString)"
        var made: [String: (String, String)] = [:]
        for c in cases {
            let run = "\(root)/runs/\(c.name)", report = "\(root)/reports/\(c.name)"
            let trained = try? CLITests.run(["train"] + c.train + ["--epochs", "1", "--batch-size", "32", "--out", run])
            let reported = try? CLITests.run(["report", run, "--iwae-samples", "2", "--out", report])
            if trained?.status == 0 && reported?.status == 0 { made[c.name] = (run, report) }
            else { print("explorer fixture \(c.name): \(trained?.stderr ?? "") \(reported?.stderr ?? "")") }
        }
        return made
    }()

    /// A code away from the origin, different in every dimension.
    static func code(latent: Int) -> [Float] { (0..<latent).map { Float(sin(Double($0 + 1)) * 1.3) } }

    @Test(arguments: ["mlp", "conv28", "burgess"])
    func explorerFilesHoldTheDecoderAndThePicker(name: String) throws {
        let (_, report) = try #require(Self.reports[name])
        let folder = report + "/explorer"
        let binary = try AtomicFile.read(folder + "/decoder.safetensors")
        // decoder.js is the same bytes as base64, for pages opened from file:// (no fetch()).
        let script = String(decoding: try AtomicFile.read(folder + "/decoder.js"), as: UTF8.self)
        let assignment = try #require(script.range(of: "window.betavaeExplorerData = \""))
        let quoted = script[assignment.upperBound...].prefix { $0 != "\"" }
        let sameBytes = Data(base64Encoded: String(quoted)).map { [UInt8]($0) } == binary
        #expect(sameBytes, "decoder.js does not hold decoder.safetensors' bytes")
        let file = try SafetensorsFile.parse(binary, path: folder + "/decoder.safetensors")
        let description = try #require(file.metadata["betavae.explorer"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(description.utf8)) as? [String: Any])
        let program = try #require(json["program"] as? [[String: Any]]).compactMap { $0["op"] as? String }
        switch name {
        case "mlp": #expect(program == ["linear", "relu", "linear", "unflatten"])
        case "conv28": #expect(program == ["linear", "relu", "linear", "relu", "unflatten", "conv_transpose2d", "relu", "conv_transpose2d"])
        default: #expect(program == ["linear", "relu", "linear", "relu", "linear", "relu", "unflatten"]
                         + ["conv_transpose2d", "relu", "conv_transpose2d", "relu", "conv_transpose2d", "relu", "conv_transpose2d"])
        }
        let means = try file.tensor("explorer.means")
        let latent = try #require(json["latent"] as? Int)
        #expect(means.shape == [16, latent])
        #expect(try file.tensor("explorer.images").shape == [means.rows] + (name == "burgess" ? [1, 64, 64] : [1, 28, 28]))
        // Sliders: active dimensions first, each group by KL; every range holds 0 and the picker's means.
        let dimensions = try #require(json["dimensions"] as? [[String: Any]])
        #expect(Set(dimensions.compactMap { $0["index"] as? Int }) == Set(0..<latent))
        let active = dimensions.map { $0["active"] as? Bool ?? false }
        #expect(active == active.sorted { $0 && !$1 })
        for group in [true, false] {
            let kls = dimensions.filter { ($0["active"] as? Bool) == group }.compactMap { $0["kl"] as? Double }
            #expect(kls == kls.sorted(by: >))
        }
        for d in dimensions {
            let j = try #require(d["index"] as? Int)
            let low = try #require(d["low"] as? Double), high = try #require(d["high"] as? Double)
            #expect(low <= 0 && high >= 0 && low < high)
            for row in 0..<means.rows { #expect((low...high).contains(Double(means[row * latent + j]))) }
        }
    }

    static let browserAvailable: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [browserScript, "--check"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver"), (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    @Test(.enabled(if: browserAvailable, "needs /usr/bin/python3 with selenium, /usr/bin/chromium and /usr/bin/chromedriver (make setup installs python3-selenium chromium chromium-driver)"))
    func explorerDecodesAsBetavaeInChromium() throws {
        let folder = NSTemporaryDirectory() + "betavae-explorer-browser-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var pages: [[String: Any]] = []
        var references: [[Float]] = []
        for c in Self.cases {
            let (run, report) = try #require(Self.reports[c.name])
            let code = Self.code(latent: c.latent)
            let npy = "\(folder)/\(c.name).npy"
            let decoded = try CLITests.run(["decode", run, "--z=" + code.map { String($0) }.joined(separator: ","), "--out", npy]
                                           + (c.label.map { ["--label", String($0)] } ?? []))
            #expect(decoded.status == 0, "\(decoded.stderr)")
            references.append(try NPY.parse(try AtomicFile.read(npy), path: npy).floats)
            pages.append(["page": report + "/index.html", "code": code.map(Double.init), "label": c.label as Any? ?? NSNull()])
        }
        let casesFile = folder + "/cases.json"
        try JSONSerialization.data(withJSONObject: pages).write(to: URL(fileURLWithPath: casesFile))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [Self.browserScript, casesFile]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "explorer_browser.py failed: \(errors)")
        let results = try #require(try JSONSerialization.jsonObject(with: output) as? [[String: Any]])
        try #require(results.count == Self.cases.count)
        for (index, c) in Self.cases.enumerated() {
            let result = results[index]
            try #require(result["started"] as? Bool == true, "\(c.name): \(result["failure"] ?? "")")
            #expect((result["sliders"] as? Int) == c.latent, "\(c.name): one slider per dimension")
            #expect((result["pickerButtons"] as? Int ?? 0) >= 2)
            // Moving a slider with the keyboard redraws the canvas.
            let moved = try #require(result["sliderMoved"] as? [String: Any])
            #expect((moved["from"] as? Double) != (moved["to"] as? Double), "\(c.name): the slider did not move")
            #expect((moved["changedPixels"] as? Int ?? 0) > 0, "\(c.name): the canvas did not change")
            // Picking test image 1 starts from its posterior mean, as exported.
            let (_, report) = try #require(Self.reports[c.name])
            let file = try SafetensorsFile.read(path: report + "/explorer/decoder.safetensors")
            let means = try file.tensor("explorer.means")
            let picked = try #require(result["pickedCode"] as? [Double])
            #expect(picked.map { Float($0) } == (0..<c.latent).map { means[c.latent + $0] })
            // The canvas shows betavae's own decode of the code to within 1/255 per pixel.
            let reference = references[index]
            let canvas = try #require(result["canvas"] as? [Int])
            let floats = try #require(result["decoded"] as? [Double])
            try #require(canvas.count == reference.count && floats.count == reference.count, "\(c.name): \(canvas.count) pixels for \(reference.count)")
            let worstPixel = zip(canvas, reference).map { abs(Double($0) / 255 - Double($1)) }.max() ?? .infinity
            let worstFloat = zip(floats, reference).map { abs($0 - Double($1)) }.max() ?? .infinity
            #expect(worstPixel <= 1.0 / 255, "\(c.name): a canvas pixel is \(worstPixel * 255)/255 from betavae's decode")
            #expect(worstFloat < 1e-4, "\(c.name): the browser's decoder differs from betavae's by \(worstFloat)")
            #expect(Set(reference.map { ($0 * 255).rounded() }).count > 3, "\(c.name): the decode is nearly flat, a weak comparison")
            // No console errors or warnings from the page (Chromium's browser log; the canvas readback
            // hint is about the test's own getImageData calls).
            let log = (result["log"] as? [[String: Any]] ?? []).filter { !($0["message"] as? String ?? "").contains("willReadFrequently") }
            #expect(log.isEmpty, "\(c.name): browser log \(log)")
            // With JavaScript off the explorer stays hidden, its <noscript> note shows and the figures load.
            let plain = try #require(result["withoutJavaScript"] as? [String: Any])
            #expect(plain["explorerShown"] as? Bool == false)
            #expect((plain["noscriptText"] as? String ?? "").contains("needs JavaScript"))
            #expect((plain["figuresShown"] as? Int ?? 0) >= 5)
        }
    }
}
