/// Errors a user can cause by pointing at missing or malformed data. Each names the file
/// (or folder) and, where there is one, what to do about it.
public enum DatasetError: Error, Equatable, CustomStringConvertible, Sendable {
    case missing(path: String, hint: String)
    case unreadable(path: String, reason: String)
    case badMagic(path: String, found: String, expected: String)
    case truncated(path: String, expectedBytes: Int, actualBytes: Int)
    case corruptGzip(path: String, reason: String)
    case countMismatch(images: String, labels: String, imageCount: Int, labelCount: Int)
    case unsupportedDType(path: String, descr: String)
    case fortranOrder(path: String)
    case malformedNPY(path: String, reason: String)
    case zipMemberMissing(path: String, member: String)
    case corruptZip(path: String, reason: String)
    case emptyFolder(path: String)
    case notPNG(path: String)
    case unknownDataset(name: String)
    case invalidOption(String)

    public var description: String {
        switch self {
        case let .missing(path, hint): return "\(path): not found. \(hint)"
        case let .unreadable(path, reason): return "\(path): cannot read (\(reason))"
        case let .badMagic(path, found, expected): return "\(path): wrong magic number \(found), expected \(expected)"
        case let .truncated(path, expected, actual): return "\(path): truncated: its header promises \(expected) bytes but it holds \(actual)"
        case let .corruptGzip(path, reason): return "\(path): corrupt or truncated gzip stream (\(reason))"
        case let .countMismatch(images, labels, n, m): return "\(images) holds \(n) images but \(labels) holds \(m) labels"
        case let .unsupportedDType(path, descr): return "\(path): unsupported NPY dtype '\(descr)' (supported: little-endian u1, i8, f4, f8)"
        case let .fortranOrder(path): return "\(path): Fortran-order arrays are not supported; save with numpy.ascontiguousarray"
        case let .malformedNPY(path, reason): return "\(path): not a valid .npy array (\(reason))"
        case let .zipMemberMissing(path, member): return "\(path): archive has no member '\(member)'"
        case let .corruptZip(path, reason): return "\(path): corrupt zip archive (\(reason))"
        case let .emptyFolder(path): return "\(path): no PNG images in this folder"
        case let .notPNG(path): return "\(path): not a PNG image"
        case let .unknownDataset(name): return "unknown dataset '\(name)'; run 'betavae datasets' to list the datasets"
        case let .invalidOption(message): return message
        }
    }
}
