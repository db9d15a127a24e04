import Foundation
import Mustache

/// The HTML templates (templates/*.mustache, rendered with swift-mustache) and the stylesheet.
///
/// The folder is looked for in `$BETAVAE_TEMPLATES`, `./templates`, and next to the executable
/// (`<bin>/../../templates` for a SwiftPM build, `<bin>/../share/betavae/templates` installed).
public struct Templates {
    public let folder: String
    let library: MustacheLibrary

    public init() throws {
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        var candidates: [String] = []
        if let override = ProcessInfo.processInfo.environment["BETAVAE_TEMPLATES"] { candidates.append(override) }
        candidates += [FileManager.default.currentDirectoryPath + "/templates",
                       executable.appendingPathComponent("../../templates").standardized.path,
                       executable.appendingPathComponent("../../../templates").standardized.path,
                       executable.appendingPathComponent("../share/betavae/templates").standardized.path]
        guard let folder = candidates.first(where: { FileManager.default.fileExists(atPath: $0 + "/report.mustache") }) else {
            throw ReportError.templatesNotFound(searched: candidates)
        }
        try self.init(folder: folder)
    }

    public init(folder: String) throws {
        self.folder = folder
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".mustache") }.sorted()
        var templates: [String: MustacheTemplate] = [:]
        for name in names {
            let stem = String(name.dropLast(".mustache".count))
            guard let text = try? String(contentsOfFile: folder + "/" + name, encoding: .utf8) else {
                throw ReportError.template(name: stem, reason: "cannot read")
            }
            do { templates[stem] = try MustacheTemplate(string: text) } catch {
                throw ReportError.template(name: stem, reason: "\(error)")
            }
        }
        library = MustacheLibrary(templates: templates)
    }

    /// Renders template `name` with `context` (values are HTML-escaped by {{ }}).
    public func render(_ name: String, _ context: [String: Any]) throws -> String {
        guard let html = library.render(context, withTemplate: name) else {
            throw ReportError.template(name: name, reason: "no such template")
        }
        return html
    }

    /// The stylesheet's text.
    public func stylesheet() throws -> String { try asset("style.css") }

    /// The text of a file in the templates folder that pages use as it is (style.css, explorer.js).
    public func asset(_ name: String) throws -> String {
        guard let text = try? String(contentsOfFile: folder + "/" + name, encoding: .utf8) else {
            throw ReportError.template(name: name, reason: "missing")
        }
        return text
    }
}
