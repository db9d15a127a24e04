import Foundation

/// Cairo numbers SVG element ids (`surface12`, `glyph3-1`, `clip5`, …) from counters global to
/// the process, so the same figure drawn after others gets other ids. Renumbering each kind in
/// order of first appearance makes the file depend only on the figure.
enum SVGIdentifiers {
    static let pattern: NSRegularExpression? = try? NSRegularExpression(
        pattern: "\\b(surface|glyph|clip|image|pattern|mask|linear|radial|source)([0-9]+)")

    static func normalize(_ text: String) -> String {
        guard let pattern else { return text }
        let source = text as NSString
        var mapping: [String: String] = [:]
        var counters: [String: Int] = [:]
        var result = ""
        var cursor = 0
        for match in pattern.matches(in: text, range: NSRange(location: 0, length: source.length)) {
            result += source.substring(with: NSRange(location: cursor, length: match.range.location - cursor))
            let kind = source.substring(with: match.range(at: 1))
            let token = source.substring(with: match.range)
            if mapping[token] == nil {
                let next = counters[kind, default: 0] + 1
                counters[kind] = next
                mapping[token] = kind + String(next)
            }
            result += mapping[token] ?? token
            cursor = match.range.location + match.range.length
        }
        result += source.substring(from: cursor)
        return result
    }

    /// Rewrites the SVG file at `path` in place through `change`.
    static func rewrite(_ path: String, _ change: (String) -> String) throws(PlotError) {
        guard let data = FileManager.default.contents(atPath: path) else { throw .write(path: path, reason: "cannot read back the SVG") }
        let normalized = change(String(decoding: data, as: UTF8.self))
        guard FileManager.default.createFile(atPath: path, contents: Data(normalized.utf8)) else {
            throw .write(path: path, reason: "cannot rewrite the SVG")
        }
    }
}
