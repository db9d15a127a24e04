import Foundation

/// A file that could not be read or written, with the path and the reason.
public struct FileError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String { "\(path): \(reason)" }
}

/// Writes files so that a crash never leaves a torn file: the bytes go to a temporary name in the
/// same folder, are flushed, and are renamed over the destination in one step (POSIX rename).
public enum AtomicFile {
    /// Writes `bytes` to `path` atomically, creating missing parent folders.
    public static func write(_ bytes: [UInt8], to path: String) throws(FileError) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw FileError(path: folder.path, reason: "cannot create folder (\(error.localizedDescription))")
        }
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())").path
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw FileError(path: path, reason: "cannot write (\(String(cString: strerror(errno))))") }
        var written = 0
        let ok: Bool = bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let result = Foundation.write(descriptor, raw.baseAddress! + written, raw.count - written)
                if result <= 0 { return false }
                written += result
            }
            return fsync(descriptor) == 0
        }
        let reason = String(cString: strerror(errno))
        close(descriptor)
        guard ok else {
            unlink(temporary)
            throw FileError(path: path, reason: "write failed (\(reason))")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw FileError(path: path, reason: "cannot rename into place (\(reason))")
        }
    }

    /// Writes UTF-8 `text` to `path` atomically.
    public static func write(_ text: String, to path: String) throws(FileError) {
        try write(Array(text.utf8), to: path)
    }

    /// Reads a whole file, throwing a `FileError` that names it when it is missing or unreadable.
    /// Writes `bytes` to `path` (atomically) unless the file already holds exactly those bytes, so
    /// a regenerated page that did not change keeps its modification time. Returns whether it wrote.
    @discardableResult
    public static func writeIfChanged(_ bytes: [UInt8], to path: String) throws(FileError) -> Bool {
        if let existing = FileManager.default.contents(atPath: path), existing.count == bytes.count, Array(existing) == bytes { return false }
        try write(bytes, to: path)
        return true
    }

    /// The bytes of the file at `path`, or a `FileError` naming it.
    public static func read(_ path: String) throws(FileError) -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else { throw FileError(path: path, reason: "no such file") }
        // An empty file is answered here: FileManager.contents leaks its 4 KB read buffer for a
        // zero-length file (swift-foundation 6; LeakSanitizer in the checkpoint fuzz target).
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber, size.intValue == 0,
           (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType == .typeRegular { return [] }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FileError(path: path, reason: "cannot read (is it a folder, or unreadable?)")
        }
        return [UInt8](data)
    }
}
