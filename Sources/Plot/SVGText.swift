import Foundation

/// A label of an SVG figure as a real `<text>` element. Cairo's SVG surface draws text as glyph
/// outlines (`<symbol>` paths and `<use>` references: cairo 1.16 has no option for text), which
/// cannot be searched, selected or edited; so an SVG canvas records its labels here instead of
/// showing them, and `insert` writes them over the drawing when the file is finished. Labels are
/// always the top layer of a figure (drawn after the marks they label), so appending them keeps
/// the order a reader sees.
struct SVGText {
    var text: String
    /// The anchor point, in points.
    var x: Double
    var y: Double
    /// From the anchor to the baseline along the text's vertical (the same offset Cairo uses).
    var baselineOffset: Double
    var size: Double
    var color: Color
    var anchor: Text.Anchor
    var bold: Bool
    var vertical: Bool

    /// The element: anchored by `text-anchor` so a viewer with other font metrics still centres
    /// and right-aligns the label where it belongs; spaces kept (row labels use double spaces).
    var element: String {
        let anchorName = anchor == .start ? "start" : (anchor == .middle ? "middle" : "end")
        let placement = vertical
            ? "transform=\"translate(\(SVGText.number(x)) \(SVGText.number(y))) rotate(-90)\" x=\"0\" y=\"\(SVGText.number(baselineOffset))\""
            : "x=\"\(SVGText.number(x))\" y=\"\(SVGText.number(y + baselineOffset))\""
        return "<text \(placement) font-size=\"\(SVGText.number(size))\"\(bold ? " font-weight=\"bold\"" : "") fill=\"\(SVGText.hex(color))\""
            + "\(color.alpha < 1 ? " fill-opacity=\"\(SVGText.number(color.alpha))\"" : "") text-anchor=\"\(anchorName)\">"
            + SVGText.escaped(text) + "</text>"
    }

    /// The labels as one group, in the font the PNG and PDF use.
    static func group(_ texts: [SVGText]) -> String {
        "<g font-family=\"\(Text.family), Verdana, sans-serif\" xml:space=\"preserve\" style=\"white-space: pre\">\n"
            + texts.map { "  " + $0.element + "\n" }.joined() + "</g>\n"
    }

    /// Puts `texts` before the closing tag of the SVG document in `svg`.
    static func insert(_ texts: [SVGText], into svg: String) -> String {
        String(decoding: insert(texts, into: Array(svg.utf8)), as: UTF8.self)
    }

    /// The same on the document's UTF-8 bytes (a scatter's SVG is megabytes: no String copies).
    static func insert(_ texts: [SVGText], into svg: [UInt8]) -> [UInt8] {
        let close = Array("</svg>".utf8)
        guard !texts.isEmpty, svg.count >= close.count else { return svg }
        var at = svg.count - close.count
        while at >= 0 && !svg[at..<(at + close.count)].elementsEqual(close) { at -= 1 }
        guard at >= 0 else { return svg }
        return Array(svg[..<at]) + Array(group(texts).utf8) + Array(svg[at...])
    }

    static func number(_ value: Double) -> String {
        let text = String(format: "%.2f", value)
        var trimmed = text.contains(".") ? String(text.reversed().drop { $0 == "0" }.reversed()) : text
        if trimmed.hasSuffix(".") { trimmed.removeLast() }
        return trimmed == "-0" ? "0" : trimmed
    }

    static func hex(_ color: Color) -> String {
        func byte(_ v: Double) -> Int { Int((min(max(v, 0), 1) * 255).rounded()) }
        return String(format: "#%02x%02x%02x", byte(color.red), byte(color.green), byte(color.blue))
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
