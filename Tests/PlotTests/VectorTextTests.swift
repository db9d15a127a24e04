import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Plot

/// Text in vector output is text: an SVG's labels are `<text>` elements (not Cairo's glyph
/// outlines) at the figure's font sizes; bars can take their categories' colours; a grid with no
/// spacing has no seams.
@Suite struct VectorTextTests {
    /// Every element of an SVG: its name, attributes and text content.
    final class Elements: NSObject, XMLParserDelegate {
        var found: [(name: String, attributes: [String: String], text: String)] = []
        private var open: [Int] = []
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            found.append((name, attributes, ""))
            open.append(found.count - 1)
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let last = open.last { found[last].text += string }
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) { open.removeLast() }
    }

    func svgElements(_ figure: Figure) throws -> [(name: String, attributes: [String: String], text: String)] {
        let path = NSTemporaryDirectory() + "vector-\(UUID()).svg"
        defer { unlink(path) }
        try figure.write(to: path, format: .svg)
        let parser = XMLParser(data: try Data(contentsOf: URL(fileURLWithPath: path)))
        let elements = Elements()
        parser.delegate = elements
        #expect(parser.parse(), "the SVG does not parse")
        return elements.found
    }

    static let chart = Figure(width: 480, height: 300, .axes(Axes(
        title: "KL per dimension", xLabel: "epoch", yLabel: "nats per image",
        marks: [.line(LineSeries(x: [0, 5, 10], y: [0, 4, 10], label: "train & <test>"))])))

    @Test func svgLabelsAreTextElementsNotGlyphOutlines() throws {
        let elements = try svgElements(Self.chart)
        let texts = elements.filter { $0.name == "text" }
        let contents = Set(texts.map(\.text))
        for label in ["KL per dimension", "epoch", "nats per image", "train & <test>", "0", "5", "10"] {
            #expect(contents.contains(label), "no <text> element reads '\(label)'")
        }
        #expect(!elements.contains { $0.name == "symbol" || ($0.attributes["id"] ?? "").hasPrefix("glyph") }, "text was drawn as glyph outlines")
        let title = try #require(texts.first { $0.text == "KL per dimension" })
        #expect(title.attributes["font-size"] == "11" && title.attributes["font-weight"] == "bold" && title.attributes["text-anchor"] == "middle")
        let yLabel = try #require(texts.first { $0.text == "nats per image" })
        #expect(yLabel.attributes["transform"]?.contains("rotate(-90)") == true && yLabel.attributes["font-size"] == "10")
        #expect(elements.contains { $0.name == "g" && ($0.attributes["font-family"] ?? "").hasPrefix("DejaVu Sans") })
    }

    @Test func textSizesComeFromTheFigure() throws {
        var paper = Self.chart
        paper.textSizes = .paper
        let sizes = Set(try svgElements(paper).filter { $0.name == "text" }.compactMap { $0.attributes["font-size"] })
        #expect(sizes == ["8", "9"])
        #expect(TextSizes.paper.range == 8...9 && TextSizes.screen.range == 8...11)
    }

    @Test func barsTakeTheirCategoriesColours() throws {
        let red = Color(hex: 0xD55E00), blue = Color(hex: 0x0072B2)
        let bars = BarSeries(categories: ["z0", "z1"], groups: [("final", [4, 4])], categoryColors: [red, blue])
        let figure = Figure(width: 300, height: 200, .axes(Axes(marks: [.bars(bars)], showLegend: false)))
        let image = try figure.rgba()
        for (category, color) in [(0.5, red), (1.5, blue)] {
            let point = try #require(figure.location(ofPanel: 0, x: category, y: 2))
            let o = (Int(point.y) * image.width + Int(point.x)) * 4
            #expect(image.bytes[o] == UInt8((color.red * 255).rounded()) && image.bytes[o + 2] == UInt8((color.blue * 255).rounded()), "bar \(category)")
        }
        #expect(bars.legendEntries.isEmpty)
    }

    /// Cells edge to edge on whole pixels: every pixel across a two-cell row is one cell's level,
    /// none a blend with the white behind (a fitted cell of 20.3 points would put the edges between
    /// pixels and leave a light seam).
    @Test func gridWithoutSpacingHasNoSeams() throws {
        let black = GridImage(width: 2, height: 2, pixels: [0, 0, 0, 0]), grey = GridImage(width: 2, height: 2, pixels: [0.5, 0.5, 0.5, 0.5])
        let figure = Figure(width: 2 * 20.3 + 8, height: 2 * 20.3 + 8, .images(ImageGrid(cells: [[black, grey], [grey, black]], spacing: 0)))
        let image = try figure.rgba(scale: 2)
        let row = 2 * 14
        let levels = (10..<88).map { image.bytes[(row * image.width + $0) * 4] }
        #expect(Set(levels) == [0, 128], "levels across the row: \(Set(levels).sorted())")
    }
}

/// Cairo's process-global SVG ids renumbered per kind in order of first appearance, on bytes.
@Suite struct SVGIdentifierTests {
    @Test func renumbersEachKindFromOneAndLeavesTheRestAlone() {
        let svg = "<use xlink:href=\"#glyph7-3\"/><clipPath id=\"clip12\"><g clip-path=\"url(#clip12)\"> surface40 "
            + "clip9 xclip5 glyph7-1 image surface40 é<svg>surface</svg>"
        let expected = "<use xlink:href=\"#glyph1-3\"/><clipPath id=\"clip1\"><g clip-path=\"url(#clip1)\"> surface1 "
            + "clip2 xclip5 glyph1-1 image surface1 é<svg>surface</svg>"
        #expect(SVGIdentifiers.normalize(svg) == expected)
    }

    @Test func labelsGoBeforeTheLastClosingTag() {
        let label = SVGText(text: "a < b", x: 1, y: 2, baselineOffset: 0, size: 9, color: Color(red: 0, green: 0, blue: 0),
                            anchor: .start, bold: false, vertical: false)
        let out = SVGText.insert([label], into: "<svg><g></g></svg>\n")
        #expect(out.hasPrefix("<svg><g></g><g font-family="))
        #expect(out.hasSuffix("a &lt; b</text>\n</g>\n</svg>\n"))
        #expect(SVGText.insert([label], into: "no document") == "no document")
    }
}
