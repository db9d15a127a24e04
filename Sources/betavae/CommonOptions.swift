import ArgumentParser
import Foundation
import Report
import Training

/// Checks shared by the commands that evaluate and report.
enum OptionChecks {
    /// Most importance samples per image: K = 100,000 already takes hours on a small MLP.
    static let iwaeLimit = 100_000

    static func iwaeSamples(_ value: Int?) throws {
        guard let value else { return }
        guard (1...iwaeLimit).contains(value) else {
            throw ValidationError("--iwae-samples must be 1…\(iwaeLimit), not \(value)")
        }
    }

    static func figureStyle(_ value: String) throws {
        guard FigureStyle(rawValue: value) != nil else {
            throw ValidationError("--figure-style must be \(FigureStyle.allCases.map(\.rawValue).joined(separator: " or ")), not '\(value)'")
        }
    }

    /// A comma-separated list with no empty items (`1,,4` and a trailing comma are refused).
    static func list(_ text: String, option: String) throws -> [String] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !items.isEmpty, !items.contains("") else {
            throw ValidationError("\(option) must be values separated by single commas, not '\(text)'")
        }
        return items
    }

    /// How report, compare and sweep get evaluations: K (nil: the architecture's default), this
    /// tool's version as part of the key, progress and a one-line notice on stderr, with the time
    /// it will take, when one must be computed.
    static func evaluationPolicy(iwaeSamples: Int?) -> EvaluationPolicy {
        EvaluationPolicy(iwaeSamples: iwaeSamples, toolVersion: ToolVersion.string, progress: iwaeProgress(),
                         announce: { FileHandle.standardError.write(Data(("betavae: " + $0 + "\n").utf8)) })
    }

    /// The index page goes into the default reports folder only, or where the user named one: a
    /// report written with --out somewhere else leaves that folder's parent alone.
    static func indexFolder(out: String?) -> String? {
        out == nil ? "reports" : nil
    }
}
