import Foundation

/// An exclusive lock on a run directory: `flock(2)` on RUN/.lock, which holds the owner's pid for
/// the message a second process prints. The kernel drops the lock when its process dies, however
/// it dies, so a stale lock never blocks a run and a live unrelated pid in the file means nothing.
public final class RunLock {
    public let path: String
    private var descriptor: Int32 = -1

    /// Takes the lock or throws `runLocked` naming the process that holds it. Creates the run
    /// folder when it does not exist yet.
    public init(run: RunDirectory) throws(TrainingError) {
        path = run.lock
        do {
            try FileManager.default.createDirectory(atPath: run.path, withIntermediateDirectories: true)
        } catch {
            throw .io("\(run.path): cannot create the run folder (\(error.localizedDescription))")
        }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io("\(path): cannot open the lock file (\(String(cString: strerror(errno))))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = pread(fd, &buffer, buffer.count, 0)
            close(fd)
            guard reason == EWOULDBLOCK else {
                throw .io("\(path): cannot lock the run (\(String(cString: strerror(reason))))")
            }
            let owner = Int32(String(decoding: buffer.prefix(max(count, 0)), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            throw .runLocked(path: run.path, pid: owner ?? 0)
        }
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, text, text.count, 0)
        descriptor = fd
    }

    /// Releases the lock (also done on deinit and by the kernel when the process ends). The file
    /// stays: unlinking it would let a process that opened it just before take a lock on a file
    /// no one else can see.
    public func release() {
        guard descriptor >= 0 else { return }
        _ = ftruncate(descriptor, 0)
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
