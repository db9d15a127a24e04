/// Errors a user can cause while training or resuming; each names the file or the option.
public enum TrainingError: Error, Equatable, CustomStringConvertible, Sendable {
    case runNotFound(path: String)
    case corruptRun(path: String, reason: String)
    case runExists(path: String)
    case runLocked(path: String, pid: Int32)
    case nonFinite(epoch: Int, step: Int, what: String)
    case invalidOption(String)
    case io(String)

    public var description: String {
        switch self {
        case let .runNotFound(path): return "\(path): no such run (expected a run directory with config.json)"
        case let .corruptRun(path, reason): return "\(path): \(reason)"
        case let .runExists(path): return "\(path) already holds a run; pass --resume \(path) to continue it or --force to overwrite it"
        case let .runLocked(path, pid):
            let owner = pid > 0 ? "betavae process \(pid)" : "another betavae process"
            let stop = pid > 0 ? "wait for it to finish, or stop it with 'kill \(pid)' (it saves a checkpoint) and resume" : "wait for it to finish"
            return "\(path) is being trained by \(owner); \(stop)"
        case let .nonFinite(epoch, step, what):
            return "training diverged: \(what) is not finite at epoch \(epoch), step \(step); the last good checkpoint is kept (try a lower --lr or --clip-norm)"
        case let .invalidOption(message): return message
        case let .io(message): return message
        }
    }
}
