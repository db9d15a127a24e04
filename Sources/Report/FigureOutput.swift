import Engine
import Foundation
import Plot

/// A written figure as the HTML templates see it (and as OUT/figures.json lists it, so that
/// `report --figures` can rebuild the page around the figures it did not regenerate).
public struct WrittenFigure: Codable, Equatable, Sendable {
    public var name: String
    public var title: String
    public var caption: String
    public var alt: String
    /// The image the page shows: figures/NAME.png, or figures/NAME.gif for an animation.
    public var png: String
    public var svg: String?
    public var width: Int
    public var height: Int

    var context: [String: Any] {
        ["name": name, "title": title, "caption": caption, "alt": alt, "png": png, "svg": svg ?? "", "hasSVG": svg != nil,
         "width": width, "height": height]
    }
}

/// The frames of an animated figure (written as a looping GIF at 1 pixel per point).
struct Animation {
    var frames: [Figure]
    /// Centiseconds per frame.
    var delay: Int
}

/// A figure to write: charts go out as PNG (2×) and SVG; image grids as PNG only (an SVG of
/// pixels would only wrap the PNG); animations as GIF only (`figure` is their first frame).
struct FigureSpec {
    var name: String
    var title: String
    var caption: String
    var alt: String
    var figure: Figure
    var vector: Bool
    var animation: Animation? = nil

    func write(into folder: String) throws -> WrittenFigure {
        if let animation {
            try Figure.writeAnimation(animation.frames, delay: animation.delay, to: "\(folder)/figures/\(name).gif")
            return written
        }
        try figure.write(to: "\(folder)/figures/\(name).png", format: .png(scale: 2))
        if vector { try figure.write(to: "\(folder)/figures/\(name).svg", format: .svg) }
        return written
    }

    /// The figure's entry without writing it (for a report that regenerates only some figures).
    var written: WrittenFigure {
        WrittenFigure(name: name, title: title, caption: caption, alt: alt, png: "figures/\(name).\(animation == nil ? "png" : "gif")",
                      svg: vector ? "figures/\(name).svg" : nil, width: Int(figure.width), height: Int(figure.height))
    }
}

/// OUT/figures.json: the figures a report's page shows, in page order.
enum FigureManifest {
    static func path(_ folder: String) -> String { folder + "/figures.json" }

    static func write(_ figures: [WrittenFigure], to folder: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.writeIfChanged(Array(try encoder.encode(figures)) + [0x0A], to: path(folder))
    }

    /// The figures of the report in `folder`, or nil when it has none (never reported there).
    static func read(_ folder: String) throws -> [WrittenFigure]? {
        guard let data = FileManager.default.contents(atPath: path(folder)) else { return nil }
        do { return try JSONDecoder().decode([WrittenFigure].self, from: data) } catch {
            throw ReportError.write("\(path(folder)): not a betavae figure list; run 'betavae report' without --figures to rebuild the report")
        }
    }
}
