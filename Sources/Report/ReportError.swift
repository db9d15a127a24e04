/// Errors a user can cause when reporting or comparing.
public enum ReportError: Error, Equatable, CustomStringConvertible, Sendable {
    case templatesNotFound(searched: [String])
    case template(name: String, reason: String)
    case incompatibleRuns(String)
    case unknownFigure(String, known: [String])
    case write(String)
    case notReported(String)

    public var description: String {
        switch self {
        case let .templatesNotFound(searched):
            return "templates/ not found (looked in \(searched.joined(separator: ", "))); run from the betavae folder or set BETAVAE_TEMPLATES"
        case let .template(name, reason): return "templates/\(name).mustache: \(reason)"
        case let .incompatibleRuns(message): return message
        case let .unknownFigure(name, known): return "--figures: unknown figure '\(name)' (figures: \(known.joined(separator: ", ")))"
        case let .write(message): return message
        case let .notReported(folder):
            return "\(folder) holds no report yet, so --figures has no page to put its figures into; run 'betavae report' without --figures first"
        }
    }
}
