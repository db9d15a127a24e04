/// Why a figure could not be drawn or written.
public enum PlotError: Error, Equatable, CustomStringConvertible, Sendable {
    case cairo(status: String, while: String)
    case write(path: String, reason: String)

    /// One line saying what failed, for the command line.
    public var description: String {
        switch self {
        case let .cairo(status, action): return "Cairo failed while \(action): \(status)"
        case let .write(path, reason): return "\(path): cannot write figure (\(reason))"
        }
    }
}
