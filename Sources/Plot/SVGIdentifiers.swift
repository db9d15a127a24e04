import Foundation

/// Cairo numbers SVG element ids (`surface12`, `glyph3-1`, `clip5`, …) from counters global to
/// the process, so the same figure drawn after others gets other ids. Renumbering each kind in
/// order of first appearance makes the file depend only on the figure.
///
/// Works on the file's UTF-8 bytes: the ids are ASCII, and a latent scatter's SVG runs to
/// megabytes, where NSRegularExpression over an NSString (and NSString's splice for the labels)
/// took 12% of a whole `report` (perf, Fashion-MNIST MLP run on an AVX2 EPYC).
enum SVGIdentifiers {
    /// The id kinds Cairo numbers.
    static let kinds: [[UInt8]] = ["surface", "glyph", "clip", "image", "pattern", "mask", "linear", "radial", "source"].map { Array($0.utf8) }

    static func normalize(_ text: String) -> String {
        String(decoding: normalize(bytes: Array(text.utf8)), as: UTF8.self)
    }

    /// Every `\b(kind)([0-9]+)` (a kind at a word start, then digits) renumbered per kind in
    /// order of first appearance; everything else copied as it is.
    static func normalize(bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var mapping: [[UInt8]: [UInt8]] = [:]
        var counters = [Int](repeating: 0, count: kinds.count)
        var i = 0
        let n = bytes.count
        bytes.withUnsafeBufferPointer { b in
            while i < n {
                if !isWordByte(b[i]) || (i > 0 && isWordByte(b[i - 1])) {
                    result.append(b[i]); i += 1; continue
                }
                var matched = false
                for (k, kind) in kinds.enumerated() where i + kind.count < n && b[i] == kind[0] {
                    var same = true
                    for j in 1..<kind.count where b[i + j] != kind[j] { same = false; break }
                    guard same else { continue }
                    var end = i + kind.count
                    while end < n && b[end] >= 0x30 && b[end] <= 0x39 { end += 1 }
                    guard end > i + kind.count else { continue }
                    let token = Array(b[i..<end])
                    if let renamed = mapping[token] {
                        result.append(contentsOf: renamed)
                    } else {
                        counters[k] += 1
                        let renamed = kind + Array(String(counters[k]).utf8)
                        mapping[token] = renamed
                        result.append(contentsOf: renamed)
                    }
                    i = end
                    matched = true
                    break
                }
                if !matched { result.append(b[i]); i += 1 }
            }
        }
        return result
    }

    /// ICU's \b word characters, for the ASCII ids here: letters, digits and the underscore.
    private static func isWordByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c >= 0x80
    }

    /// Rewrites the SVG file at `path` in place through `change`, on its bytes.
    static func rewrite(_ path: String, _ change: ([UInt8]) -> [UInt8]) throws(PlotError) {
        guard let data = FileManager.default.contents(atPath: path) else { throw .write(path: path, reason: "cannot read back the SVG") }
        let changed = change([UInt8](data))
        guard FileManager.default.createFile(atPath: path, contents: Data(changed)) else {
            throw .write(path: path, reason: "cannot rewrite the SVG")
        }
    }
}
