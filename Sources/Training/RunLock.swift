import Foundation

/// An exclusive lock on a run directory: a `.lock` file created with O_EXCL holding the owner's
/// pid. A lock whose process is gone is stale and taken over.
public final class RunLock {
    public let path: String
    private var held = false

    /// Takes the lock or throws `runLocked` naming the process that holds it.
    public init(run: RunDirectory) throws(TrainingError) {
        path = run.lock
        try? FileManager.default.createDirectory(atPath: run.path, withIntermediateDirectories: true)
        for _ in 0..<2 {
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
            if descriptor >= 0 {
                let text = "\(getpid())\n"
                _ = text.withCString { write(descriptor, $0, strlen($0)) }
                close(descriptor)
                held = true
                return
            }
            guard errno == EEXIST else { throw .io("\(path): cannot create the lock file (\(String(cString: strerror(errno))))") }
            let owner = (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if let owner, kill(owner, 0) == 0 || errno == EPERM {
                throw .runLocked(path: run.path, pid: owner)
            }
            unlink(path)   // stale: its process has exited
        }
        throw .io("\(path): cannot take the lock")
    }

    /// Releases the lock (also done on deinit).
    public func release() {
        if held { unlink(path) }
        held = false
    }

    deinit { release() }
}
