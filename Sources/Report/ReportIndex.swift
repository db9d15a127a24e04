import Engine
import Foundation

/// reports/index.html: every report and comparison under the reports folder.
public enum ReportIndex {
    /// Whether the page in folder `out` links "all reports" to ../index.html: `indexed` when the
    /// command writing it also writes that index (a sweep, `report` and `compare` into reports/),
    /// else whether the index is already there. A page never links to a file that is not there
    /// (issue 25: `report RUN --out DIR` outside reports/ linked to a missing ../index.html).
    public static func linked(from out: String, indexed: Bool?) -> Bool {
        if let indexed { return indexed }
        let parent = (URL(fileURLWithPath: out).standardizedFileURL.deletingLastPathComponent().path as NSString).appendingPathComponent("index.html")
        return FileManager.default.fileExists(atPath: parent)
    }

    @discardableResult
    public static func write(reportsFolder folder: String, templates: Templates) throws -> String {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        var comparisons: [[String: Any]] = [], runs: [(PageSummary, String)] = []
        for name in names {
            guard let data = FileManager.default.contents(atPath: "\(folder)/\(name)/summary.json"),
                  let summary = try? JSONDecoder().decode(PageSummary.self, from: data) else { continue }
            if summary.kind == "comparison" {
                comparisons.append(["href": "\(name)/index.html", "title": summary.title, "detail": summary.detail])
            } else {
                runs.append((summary, name))
            }
        }
        // Grouped by dataset and model, then by β, then by name.
        let runEntries: [[String: Any]] = runs.sorted { ($0.0.group ?? "", $0.0.sortKey, $0.1) < ($1.0.group ?? "", $1.0.sortKey, $1.1) }
            .map { ["href": "\($0.1)/index.html", "title": $0.0.title, "detail": $0.0.detail] }
        let html = try templates.render("index", ["comparisons": comparisons, "hasComparisons": !comparisons.isEmpty, "runs": runEntries])
        try AtomicFile.write(html, to: folder + "/index.html")
        try AtomicFile.write(templates.stylesheet(), to: folder + "/style.css")
        return folder + "/index.html"
    }
}
