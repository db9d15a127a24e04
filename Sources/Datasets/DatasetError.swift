import Engine
/// Errors a user can cause by pointing at missing or malformed data. Each names the file
/// (or folder) and, where there is one, what to do about it.
public enum DatasetError: Error, Equatable, Sendable {
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
    /// What reading the file needs is more memory than the process may use (`MemoryBudget`).
    case insufficientMemory(path: String, reason: String)
    /// A header field that no valid file holds (a zero dimension, an unknown PNG colour type, a
    /// zip64 size of 2^63 or more): caught before the field is used to allocate or index.
    case invalidHeader(path: String, reason: String)
    /// The data a header declares exceeds `limit` bytes (or overflows Int): refused before
    /// anything is allocated, so a corrupt 16-byte header cannot ask for exabytes.
    case tooLarge(path: String, declared: String, limit: Int)
    /// A label outside `0..<classCount`: it would index past the end of a one-hot vector.
    case labelOutOfRange(path: String, index: Int, label: Int, classCount: Int)
    /// A value in the data that the format does not allow (a non-integer or negative factor
    /// class, a NaN, a pixel that is not 0 or 1 in a mask).
    case invalidValue(path: String, reason: String)
    /// A PNG whose chunk structure is broken (truncated, bad CRC, no IHDR/IDAT/IEND): refused
    /// before libpng, which would otherwise decode what it can and hide the damage.
    case corruptPNG(path: String, reason: String)
}

/// One line naming the file and, where there is one, what to do.
extension DatasetError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .missing(path, hint): return "\(path): not found. \(hint)"
        case let .insufficientMemory(path, reason): return "\(path): \(reason)"
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
        case let .invalidHeader(path, reason):
            return "\(path): invalid header (\(reason)); the file is corrupt or not in this format, download or export it again"
        case let .tooLarge(path, declared, limit):
            let unit = limit >= 1 << 30 ? "\(limit >> 30) GiB" : limit >= 1 << 20 ? "\(limit >> 20) MiB" : "\(limit >> 10) KiB"
            return "\(path): declares \(declared), more than the limit of \(limit) bytes (\(unit)); the header is corrupt or the data too large, check the file or split it"
        case let .labelOutOfRange(path, index, label, classCount):
            return "\(path): label \(label) of item \(index) is outside 0..<\(classCount) (\(classCount) classes); the labels file is corrupt or belongs to another dataset"
        case let .invalidValue(path, reason):
            return "\(path): invalid data (\(reason)); the file is corrupt or not the expected dataset, download it again"
        case let .corruptPNG(path, reason):
            return "\(path): corrupt or truncated PNG (\(reason)); export the image again or remove it from the folder"
        }
    }
}

/// Limits on what a file may declare, checked before anything is allocated. They sit far above
/// every real dataset betavae reads (dSprites' images are 2.8 GiB) and far below what would
/// exhaust memory on a lying header.
public enum DatasetLimits {
    /// Largest payload any one array, member or decompressed stream may declare: 4 GiB.
    public static let maximumBytes = 1 << 32

    /// Throws unless `bytes` more fit in the memory the process may use (`MemoryBudget`): called
    /// before each allocation whose size a file declared.
    static func reserve(_ bytes: Int, for what: String, path: String) throws(DatasetError) {
        if let reason = MemoryBudget.shortfall(bytes, for: what) { throw .insufficientMemory(path: path, reason: reason) }
    }
    /// Largest PNG width or height.
    public static let maximumImageSide = 16_384
    /// Most classes one dSprites-style factor may have.
    public static let maximumFactorClasses = 4096
    /// Most factors a dSprites-style archive may have.
    public static let maximumFactors = 64
    /// Largest `.npy` header (numpy itself refuses headers above 10,000 bytes by default).
    public static let maximumNPYHeader = 1 << 20
}
