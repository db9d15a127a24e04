import Foundation

/// A file of pixels read by position with pread(2), never loaded whole: MPI3D-real's 12.7 GB and
/// Shapes3D's 5.9 GB stay on disk and each batch reads only its images. pread rather than mmap:
/// mapped pages a process has touched count in its resident set (an epoch over a mapped MPI3D
/// file would show 12.7 GB of RSS), while pages read through the kernel's cache do not, and
/// pread is safe from any thread. The descriptor is closed in `deinit`.
public final class PixelFile: @unchecked Sendable {
    public let path: String
    /// The file's size in bytes when opened.
    public let size: Int
    private let descriptor: Int32

    /// Opens `path` for reading; `hint` says where the file comes from when it is missing.
    public init(path: String, hint: String) throws(DatasetError) {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { throw .missing(path: path, hint: hint) }
        guard !isFolder.boolValue else { throw .unreadable(path: path, reason: "it is a folder") }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            close(fd)
            throw .unreadable(path: path, reason: "fstat failed")
        }
        self.path = path
        self.size = Int(info.st_size)
        self.descriptor = fd
    }

    deinit { close(descriptor) }

    /// Fills `buffer` with the bytes at `offset`. Callers check ranges against `size` when the
    /// file is opened, so a short read here means the file shrank while in use: a precondition.
    public func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) {
        var done = 0
        while done < buffer.count {
            let n = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n < 0 && errno == EINTR { continue }
            precondition(n > 0, "\(path): read failed at byte \(offset + done) (the file changed while in use)")
            done += n
        }
    }

    /// The `count` bytes at `offset`, checked against the file's size (for headers).
    public func bytes(at offset: Int, count: Int) throws(DatasetError) -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= size, count <= size - offset else {
            throw .truncated(path: path, expectedBytes: offset &+ count, actualBytes: size)
        }
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { read(at: offset, into: $0) }
        return out
    }
}
