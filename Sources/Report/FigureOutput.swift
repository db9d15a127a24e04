import Foundation
import Plot

/// A written figure as the HTML templates see it.
public struct WrittenFigure: Sendable {
    public var name: String
    public var title: String
    public var caption: String
    public var alt: String
    public var png: String
    public var svg: String?
    public var width: Int
    public var height: Int

    var context: [String: Any] {
        ["name": name, "title": title, "caption": caption, "alt": alt, "png": png, "svg": svg ?? "", "hasSVG": svg != nil,
         "width": width, "height": height]
    }
}

/// A figure to write: charts go out as PNG (2×) and SVG; image grids as PNG only (an SVG of
/// pixels would only wrap the PNG).
struct FigureSpec {
    var name: String
    var title: String
    var caption: String
    var alt: String
    var figure: Figure
    var vector: Bool

    func write(into folder: String) throws -> WrittenFigure {
        try figure.write(to: "\(folder)/figures/\(name).png", format: .png(scale: 2))
        if vector { try figure.write(to: "\(folder)/figures/\(name).svg", format: .svg) }
        return written
    }

    /// The figure's entry without writing it (for a report that regenerates only some figures).
    var written: WrittenFigure {
        WrittenFigure(name: name, title: title, caption: caption, alt: alt, png: "figures/\(name).png",
                      svg: vector ? "figures/\(name).svg" : nil, width: Int(figure.width), height: Int(figure.height))
    }
}
