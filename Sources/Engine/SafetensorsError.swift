/// Why a safetensors file was rejected; every case names the file, and the tensor where there is one.
public enum SafetensorsError: Error, Equatable, CustomStringConvertible, Sendable {
    case unreadable(path: String, reason: String)
    case fileTooShort(path: String, size: Int)
    case headerTooLarge(path: String, length: UInt64)
    case headerPastEnd(path: String, length: UInt64, fileSize: Int)
    case headerNotUTF8(path: String)
    case headerNotJSON(path: String, reason: String)
    case malformedEntry(path: String, tensor: String, reason: String)
    case duplicateTensor(path: String, tensor: String)
    case unknownDType(path: String, tensor: String, dtype: String)
    case byteSizeMismatch(path: String, tensor: String, expected: Int, actual: Int)
    case offsetsOverlap(path: String, tensor: String)
    case offsetsGap(path: String, tensor: String)
    case offsetsPastEnd(path: String, tensor: String)
    case trailingBytes(path: String, count: Int)
    case missingTensor(path: String, tensor: String)
    case shapeMismatch(path: String, tensor: String, expected: [Int], actual: [Int])

    public var description: String {
        switch self {
        case let .unreadable(path, reason): return "\(path): cannot read safetensors file (\(reason))"
        case let .fileTooShort(path, size): return "\(path): not a safetensors file (\(size) bytes, shorter than the 8-byte header length)"
        case let .headerTooLarge(path, length): return "\(path): safetensors header length \(length) exceeds the 100,000,000-byte limit"
        case let .headerPastEnd(path, length, size): return "\(path): safetensors header length \(length) runs past the end of the \(size)-byte file"
        case let .headerNotUTF8(path): return "\(path): safetensors header is not valid UTF-8"
        case let .headerNotJSON(path, reason): return "\(path): safetensors header is not a JSON object (\(reason))"
        case let .malformedEntry(path, tensor, reason): return "\(path): tensor '\(tensor)': \(reason)"
        case let .duplicateTensor(path, tensor): return "\(path): tensor '\(tensor)' appears twice in the header"
        case let .unknownDType(path, tensor, dtype): return "\(path): tensor '\(tensor)' has unknown dtype '\(dtype)'"
        case let .byteSizeMismatch(path, tensor, expected, actual): return "\(path): tensor '\(tensor)' spans \(actual) bytes but its shape and dtype need \(expected)"
        case let .offsetsOverlap(path, tensor): return "\(path): tensor '\(tensor)' overlaps the previous tensor's bytes"
        case let .offsetsGap(path, tensor): return "\(path): tensor '\(tensor)' leaves a gap before its bytes"
        case let .offsetsPastEnd(path, tensor): return "\(path): tensor '\(tensor)' runs past the end of the file"
        case let .trailingBytes(path, count): return "\(path): \(count) trailing bytes after the last tensor"
        case let .missingTensor(path, tensor): return "\(path): tensor '\(tensor)' is missing"
        case let .shapeMismatch(path, tensor, expected, actual): return "\(path): tensor '\(tensor)' has shape \(actual), expected \(expected)"
        }
    }
}
