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
    /// The figure as PDF (every static figure; its text is text, in the embedded font).
    public var pdf: String? = nil
    /// The size in points, as the page declares it.
    public var width: Int
    public var height: Int
    /// "960 × 300 pt, text 9–11 pt": what a reader needs to set the PDF or SVG at a known size.
    public var sizeNote: String? = nil

    var context: [String: Any] {
        let files = [("PDF", pdf), ("SVG", svg)].compactMap { label, href in href.map { ["label": label, "href": $0] } }
        return ["name": name, "title": title, "caption": caption, "alt": alt, "png": png, "svg": svg ?? "", "hasSVG": svg != nil,
                "files": files, "hasFiles": !files.isEmpty, "sizeNote": sizeNote ?? "", "hasSizeNote": sizeNote != nil, "width": width, "height": height]
    }
}

/// The frames of an animated figure (written as a looping GIF at 1 pixel per point).
struct Animation {
    var frames: [Figure]
    /// Centiseconds per frame.
    var delay: Int
}

/// A figure to write: every static figure as PNG (2×, or 300 dpi for paper) and PDF, charts also
/// as SVG (an SVG of an image grid would only wrap its pixels); animations as GIF only
/// (`figure` is their first frame; they stay at screen size in either style).
struct FigureSpec {
    var name: String
    var title: String
    var caption: String
    var alt: String
    var figure: Figure
    var vector: Bool
    var animation: Animation? = nil

    func write(into folder: String, style: FigureStyle = .screen) throws -> WrittenFigure {
        try Self.write([self], into: folder, style: style)[0]
    }

    /// The files of one figure, each drawn and written on its own (`Figure.write` makes its own
    /// Cairo surface and temporary file).
    private func files(into folder: String, style: FigureStyle) -> [@Sendable () throws -> Void] {
        let path = "\(folder)/figures/\(name)"
        if let animation {
            let (frames, delay) = (animation.frames, animation.delay)
            return [{ try Figure.writeAnimation(frames, delay: delay, to: path + ".gif") }]
        }
        let styled = style.apply(figure), scale = style.pngScale
        var files: [@Sendable () throws -> Void] = [
            { try styled.write(to: path + ".png", format: .png(scale: scale)) },
            { try styled.write(to: path + ".pdf", format: .pdf) },
        ]
        if vector { files.append { try styled.write(to: path + ".svg", format: .svg) } }
        return files
    }

    /// Writes every file of `specs` on all cores, then throws the first failure in page order.
    /// Why: a report's files were drawn one after another, and the latent scatter's 10,000 points
    /// as PDF and SVG took about half of that time (printf of every coordinate, deflate).
    /// `Figure.prepareFonts()` first, so the bytes do not depend on which thread draws text first.
    static func write(_ specs: [FigureSpec], into folder: String, style: FigureStyle = .screen) throws -> [WrittenFigure] {
        let jobs = specs.flatMap { $0.files(into: folder, style: style) }
        Figure.prepareFonts()
        let failures = ConcurrentSlots<any Error>(count: jobs.count)
        DispatchQueue.concurrentPerform(iterations: jobs.count) { index in
            do { try jobs[index]() } catch { failures.set(index, error) }
        }
        if let failure = failures.values.lazy.compactMap({ $0 }).first { throw failure }
        return specs.map { $0.written(style: style) }
    }

    /// The figure's entry without writing it (for a report that regenerates only some figures).
    func written(style: FigureStyle = .screen) -> WrittenFigure {
        guard animation == nil else {
            return WrittenFigure(name: name, title: title, caption: caption, alt: alt, png: "figures/\(name).gif", svg: nil,
                                 width: Int(figure.width), height: Int(figure.height))
        }
        let styled = style.apply(figure)
        return WrittenFigure(name: name, title: title, caption: caption, alt: alt, png: "figures/\(name).png",
                             svg: vector ? "figures/\(name).svg" : nil, pdf: "figures/\(name).pdf",
                             width: Int(styled.width), height: Int(styled.height), sizeNote: FigureStyle.sizeNote(styled))
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
