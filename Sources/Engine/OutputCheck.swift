import Foundation

/// Checks, before any work, that a command will be able to write where it means to: outputs were
/// found unwritable only after the work (issue 25: `evaluate --export-latents DIR` with an existing
/// folder DIR computed the whole evaluation, then could not rename its file into place; a report
/// of a read-only run computed its evaluation before finding it could not save it).
///
/// Writability is probed by creating and removing an empty file in the folder, not judged from
/// permission bits: root ignores them, and a read-only mount or an immutable folder says no only
/// to an actual write. Nothing existing is changed.
public enum OutputCheck {
    /// Throws unless `AtomicFile.write(_:to: path)` can succeed: `path` is not a folder, and the
    /// folder that will hold it (or, when missing, its nearest existing ancestor, where the missing
    /// folders will be made) is a writable folder. `option` names where the path came from.
    public static func file(_ path: String, option: String? = nil) throws(FileError) {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw FileError(path: named(path, option), reason: "is a folder, but a file is written there; remove it or choose another path")
        }
        try folderCanHold(URL(fileURLWithPath: path).deletingLastPathComponent().path, for: path, option: option)
    }

    /// Throws unless files can be written into `folder`: it is a writable folder, or it is missing
    /// and its nearest existing ancestor is a writable folder.
    public static func folder(_ folder: String, option: String? = nil) throws(FileError) {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), !isFolder.boolValue {
            throw FileError(path: named(folder, option), reason: "is a file, but a folder is written there; remove it or choose another path")
        }
        try folderCanHold(folder, for: folder, option: option)
    }

    /// "--out DIR" when the path came from an option, else the path.
    private static func named(_ path: String, _ option: String?) -> String { option.map { "\($0) \(path)" } ?? path }

    /// Walks up from `folder` to the first path that exists and probes it.
    private static func folderCanHold(_ folder: String, for path: String, option: String?) throws(FileError) {
        var candidate = URL(fileURLWithPath: folder.isEmpty ? "." : folder).standardizedFileURL
        var isFolder: ObjCBool = false
        while !FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isFolder), candidate.path != "/" {
            candidate.deleteLastPathComponent()
        }
        guard isFolder.boolValue else {
            throw FileError(path: named(path, option), reason: "cannot be written: \(candidate.path) is a file, not a folder")
        }
        let probe = candidate.appendingPathComponent(".betavae-write-check-\(getpid())").path
        let descriptor = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw FileError(path: named(path, option), reason: "cannot be written (\(candidate.path): \(String(cString: strerror(errno))))")
        }
        close(descriptor)
        unlink(probe)
    }
}
