import CZlib

/// zlib through its C API: gzip files (IDX .gz) and raw deflate streams (.npz members).
/// The z_stream lives only inside these functions and is always ended.
enum Zlib {
    /// Decompresses a whole gzip file (one or more members), naming `path` in errors.
    static func gunzip(_ bytes: [UInt8], path: String) throws(DatasetError) -> [UInt8] {
        try inflate(bytes, windowBits: 15 + 16, expectedSize: nil, path: path, multiMember: true)
    }

    /// Decompresses a raw deflate stream of known size (a zip member).
    static func inflateRaw(_ bytes: ArraySlice<UInt8>, expectedSize: Int, path: String) throws(DatasetError) -> [UInt8] {
        try inflate(Array(bytes), windowBits: -15, expectedSize: expectedSize, path: path, multiMember: false)
    }

    /// CRC-32 as used by zip and gzip.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            UInt32(CZlib.crc32(0, buffer.baseAddress, uInt(buffer.count)))
        }
    }

    private static func inflate(_ input: [UInt8], windowBits: Int32, expectedSize: Int?, path: String,
                                multiMember: Bool) throws(DatasetError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: max(expectedSize ?? input.count * 4, 1024))
        var stream = z_stream()
        guard inflateInit2_(&stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .corruptGzip(path: path, reason: "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var produced = 0
        var consumed = 0
        var status: Int32 = Z_OK
        while true {
            if produced == output.count {
                if expectedSize != nil { break }
                output.append(contentsOf: [UInt8](repeating: 0, count: output.count))
            }
            status = input.withUnsafeBufferPointer { inBuffer in
                output.withUnsafeMutableBufferPointer { outBuffer in
                    stream.next_in = UnsafeMutablePointer(mutating: inBuffer.baseAddress! + consumed)
                    stream.avail_in = uInt(inBuffer.count - consumed)
                    stream.next_out = outBuffer.baseAddress! + produced
                    stream.avail_out = uInt(outBuffer.count - produced)
                    let result = CZlib.inflate(&stream, Z_NO_FLUSH)
                    consumed = inBuffer.count - Int(stream.avail_in)
                    produced = outBuffer.count - Int(stream.avail_out)
                    return result
                }
            }
            if status == Z_STREAM_END {
                // Concatenated gzip members: start again on what follows.
                guard multiMember, consumed < input.count, input[consumed] == 0x1f else { break }
                inflateReset(&stream)
                continue
            }
            if status == Z_BUF_ERROR && stream.avail_out > 0 {
                throw .corruptGzip(path: path, reason: "the stream ends early")
            }
            guard status == Z_OK || status == Z_BUF_ERROR else {
                let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                throw .corruptGzip(path: path, reason: message)
            }
        }
        if let expectedSize, produced != expectedSize || status != Z_STREAM_END {
            throw .corruptZip(path: path, reason: "member inflates to \(produced) bytes, expected \(expectedSize)")
        }
        output.removeSubrange(produced...)
        return output
    }
}
