import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Plot

/// Pixel-level checks: sizes, background, where marks land, image cells, scales, ticks, SVG, bytes.
@Suite struct PlotTests {
    func pixel(_ image: (width: Int, height: Int, bytes: [UInt8]), _ x: Int, _ y: Int) -> (UInt8, UInt8, UInt8) {
        let o = (y * image.width + x) * 4
        return (image.bytes[o], image.bytes[o + 1], image.bytes[o + 2])
    }

    func isWhite(_ p: (UInt8, UInt8, UInt8)) -> Bool { p.0 > 250 && p.1 > 250 && p.2 > 250 }

    @Test func pngSizeScaleAndWhiteBackground() throws {
        let figure = Figure(width: 300, height: 200, .axes(Axes(marks: [.line(LineSeries(x: [0, 1], y: [0, 1]))])))
        let image = try figure.rgba(scale: 2)
        #expect(image.width == 600 && image.height == 400)
        #expect(isWhite(pixel(image, 1, 1)) && isWhite(pixel(image, 598, 2)) && isWhite(pixel(image, 3, 397)))
        let folder = NSTemporaryDirectory() + "plot-\(UUID())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try figure.write(to: folder + "/f.png", format: .png(scale: 2))
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/f.png")))
        #expect(bytes.prefix(8) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let width = bytes[16..<20].reduce(0) { $0 << 8 | Int($1) }, height = bytes[20..<24].reduce(0) { $0 << 8 | Int($1) }
        #expect(width == 600 && height == 400)
    }

    /// A red line's pixels sit where its data maps: at x = 0.5 the line from (0,0) to (1,2) is at y = 1.
    @Test func lineThroughMappedPixel() throws {
        let red = Color(hex: 0xFF0000)
        let figure = Figure(width: 300, height: 200, .axes(Axes(marks: [.line(LineSeries(x: [0, 1], y: [0, 2], color: red))], showLegend: false)))
        let image = try figure.rgba()
        guard let middle = figure.location(ofPanel: 0, x: 0.5, y: 1), let start = figure.location(ofPanel: 0, x: 0, y: 0) else {
            Issue.record("no mapping"); return
        }
        // The line is 1.8 points wide and antialiased: the reddest of the pixels around its centre.
        let p = (-1...1).map { pixel(image, Int(middle.x), Int(middle.y) + $0) }.min { $0.1 < $1.1 } ?? (0, 0, 0)
        #expect(p.0 > 200 && p.1 < 80 && p.2 < 80, "expected red at \(middle), got \(p)")
        // Off the line (well above it at the same x) stays white or grid-grey.
        let off = pixel(image, Int(middle.x), Int(middle.y) - 30)
        #expect(off.0 > 200 && off.1 > 200)
        #expect(start.x < middle.x && start.y > middle.y)   // y grows upwards
    }

    @Test func scatterPointsAtTheirCoordinates() throws {
        let blue = Color(hex: 0x0000FF)
        let points: [(Double, Double)] = [(1, 1), (3, 7), (8, 2)]
        let figure = Figure(width: 320, height: 240, .axes(Axes(marks: [
            .scatter(ScatterSeries(x: points.map(\.0), y: points.map(\.1), color: blue, radius: 3)),
        ], showLegend: false)))
        let image = try figure.rgba()
        for (x, y) in points {
            guard let at = figure.location(ofPanel: 0, x: x, y: y) else { Issue.record("no mapping"); return }
            let p = pixel(image, Int(at.x), Int(at.y))
            #expect(p.2 > 200 && p.0 < 60, "point (\(x), \(y)) at \(at): \(p)")
        }
    }

    /// Each grid cell shows its input pixels exactly (nearest-neighbour enlargement).
    @Test func imageGridCellsEqualInputPixels() throws {
        // A 2×2 grey image with known levels, in a 1×1 grid filling a 100×100 figure (no labels).
        let levels: [Float] = [0, 1, 0.5, 0.25]
        let figure = Figure(width: 108, height: 108, .images(ImageGrid(cells: [[GridImage(width: 2, height: 2, pixels: levels)]], spacing: 0)))
        let image = try figure.rgba()
        // The panel rect is inset by 4 points; the cell is 100×100, each source pixel a 50×50 block.
        let expected: [UInt8] = [0, 255, 128, 64]
        for (i, value) in expected.enumerated() {
            let cx = 4 + 25 + 50 * (i % 2), cy = 4 + 25 + 50 * (i / 2)
            let p = pixel(image, cx, cy)
            #expect(p.0 == value && p.1 == value && p.2 == value, "cell pixel \(i): \(p)")
            // Sharp edges: a pixel 20 points further inside the same block has the same value.
            #expect(pixel(image, cx + 20, cy + 20).0 == value)
        }
    }

    @Test func rgbImagesKeepTheirChannels() throws {
        let rgb = GridImage(width: 1, height: 1, channels: 3, pixels: [1, 0.5, 0])
        let image = try Figure(width: 58, height: 58, .images(ImageGrid(cells: [[rgb]], spacing: 0))).rgba()
        #expect(pixel(image, 29, 29) == (255, 128, 0))
    }

    @Test func logAxisPlacesDecadesEqually() {
        let figure = Figure(width: 400, height: 300, .axes(Axes(xScale: .log, marks: [.line(LineSeries(x: [1, 1000], y: [0, 1]))])))
        guard let a = figure.location(ofPanel: 0, x: 10, y: 0), let b = figure.location(ofPanel: 0, x: 100, y: 0),
              let c = figure.location(ofPanel: 0, x: 1000, y: 0) else { Issue.record("no mapping"); return }
        #expect(abs((b.x - a.x) - (c.x - b.x)) < 1e-6)
        #expect(b.x - a.x > 50)
        #expect(Ticks.log(1, 1000) == [1, 10, 100, 1000])
        #expect(Ticks.logLabels([0.1, 1, 10, 100]) == ["0.1", "1", "10", "100"])
    }

    @Test func ticksAreOneTwoFiveSteps() {
        #expect(Ticks.linear(0, 1) == [0, 0.2, 0.4, 0.6, 0.8, 1])
        #expect(Ticks.linear(0, 10) == [0, 2, 4, 6, 8, 10])
        #expect(Ticks.linear(-3, 27) == [0, 5, 10, 15, 20, 25])
        #expect(Ticks.linear(237, 262, target: 5) == [240, 245, 250, 255, 260])
        for (low, high) in [(0.0, 1.0), (3.0, 1234.0), (-0.07, 0.01), (240.0, 560.0)] {
            let ticks = Ticks.linear(low, high)
            let step = ticks[1] - ticks[0]
            let mantissa = step / pow(10, floor(log10(step)))
            #expect([1, 2, 5].contains { abs(mantissa - $0) < 1e-9 }, "step \(step) for \(low)…\(high)")
            #expect(ticks.allSatisfy { $0 >= low && $0 <= high })
        }
        #expect(Ticks.labels([0, 0.5, 1]) == ["0.0", "0.5", "1.0"])
        #expect(Ticks.labels([240, 260, 280]) == ["240", "260", "280"])
    }

    final class XMLCheck: NSObject, XMLParserDelegate {
        var elements = 0
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            elements += 1
        }
    }

    @Test func svgParsesAsXMLAndOutputIsDeterministic() throws {
        let figure = Figure(width: 400, height: 300, columns: 2, panels: [
            .axes(Axes(title: "t", xLabel: "x", marks: [.line(LineSeries(x: [0, 1, 2], y: [3, 1, 2], label: "a & <b>"))])),
            .axes(Axes(marks: [.heatmap(Heatmap(values: [[1, 2], [3, 4]], rowLabels: ["a", "b"], columnLabels: ["c", "d"]))])),
        ])
        let folder = NSTemporaryDirectory() + "plot-\(UUID())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for format in [FigureFormat.svg, .pdf, .png(scale: 2)] {
            try figure.write(to: "\(folder)/a.\(format.fileExtension)", format: format)
            try figure.write(to: "\(folder)/b.\(format.fileExtension)", format: format)
            let a = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/a.\(format.fileExtension)"))
            let b = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/b.\(format.fileExtension)"))
            #expect(a == b, "\(format) output differs between two writes")
            #expect(a.count > 500)
        }
        let parser = XMLParser(data: try Data(contentsOf: URL(fileURLWithPath: folder + "/a.svg")))
        let check = XMLCheck()
        parser.delegate = check
        #expect(parser.parse())
        #expect(check.elements > 20)
        #expect(!FileManager.default.fileExists(atPath: folder + "/a.svg.tmp-\(getpid())"))
    }

    @Test func viridisEndsAndPalette() {
        #expect(Color.viridis(0) == Color(hex: 0x440154))
        #expect(Color.viridis(1) == Color(hex: 0xFDE725))
        #expect(Color.category(0) == Color(hex: 0xE69F00))
        #expect(Set((0..<8).map { Color.category($0).red }).count > 4)
    }
}
