import CZlib

/// zlib through its C API: gzip files (IDX .gz), raw deflate streams (.npz members) and zlib
/// streams (PNG IDAT). The z_stream lives only inside these functions and is always ended.
///
/// Every decompression takes a limit and never grows its buffer beyond it: a 2 MB gzip can
/// inflate to gigabytes, so the size a stream may produce must come from a validated header,
/// never from the stream itself.
enum Zlib {
    /// What a bounded inflate found.
    struct Inflated {
        /// The first `min(total, limit)` bytes the stream produced.
        var bytes: [UInt8]
        /// How many of those bytes there are (kept or only counted).
        var size: Int
        /// True when the stream holds more than `limit` bytes (the rest was not inflated).
        var exceedsLimit: Bool
    }

    /// Decompresses a whole gzip file (one or more members) of at most `maximumSize` bytes,
    /// naming `path` in errors; a stream that would inflate to more is refused with `.tooLarge`.
    static func gunzip(_ bytes: [UInt8], path: String, maximumSize: Int = DatasetLimits.maximumBytes) throws(DatasetError) -> [UInt8] {
        let result = try gunzipPrefix(bytes, path: path, count: maximumSize)
        guard !result.exceedsLimit else {
            throw .tooLarge(path: path, declared: "a gzip stream of more than \(maximumSize) bytes", limit: maximumSize)
        }
        return result.bytes
    }

    /// Inflates at most the first `count` bytes of a gzip file (one or more members): for formats
    /// whose header says how much to read (IDX). The stream may hold fewer (the caller reports a
    /// truncation) or more (the rest is never inflated).
    static func gunzipPrefix(_ bytes: [UInt8], path: String, count: Int) throws(DatasetError) -> Inflated {
        try inflate(bytes[...], windowBits: 15 + 16, limit: count, path: path, multiMember: true, keep: true)
    }

    /// Decompresses a raw deflate stream whose size the zip directory declares (the caller has
    /// checked `expectedSize` against the limit and deflate's ratio); any other size is an error.
    static func inflateRaw(_ bytes: ArraySlice<UInt8>, expectedSize: Int, path: String) throws(DatasetError) -> [UInt8] {
        try DatasetLimits.reserve(expectedSize, for: "inflating a member of \(expectedSize) bytes", path: path)
        let result = try inflate(bytes, windowBits: -15, limit: expectedSize, path: path, multiMember: false, keep: true)
        guard !result.exceedsLimit, result.bytes.count == expectedSize else {
            throw .corruptZip(path: path, reason: "member inflates to \(result.exceedsLimit ? "more than \(expectedSize)" : "\(result.bytes.count)") bytes, expected \(expectedSize)")
        }
        return result.bytes
    }

    /// Inflates a raw deflate stream that must produce exactly `expectedSize` bytes, handing them
    /// to `body` in pieces of at most 64 KiB through one scratch buffer, so a member of gigabytes
    /// (dSprites' 2.9 GB `imgs`) is never held whole. `body` may have seen bytes of a stream that
    /// turns out corrupt or of the wrong size: the caller discards what it built when this throws.
    static func inflateRaw(_ bytes: ArraySlice<UInt8>, expectedSize: Int, path: String,
                           into body: (UnsafeBufferPointer<UInt8>) throws(DatasetError) -> Void) throws(DatasetError) {
        let result = try inflate(bytes, windowBits: -15, limit: expectedSize, path: path, multiMember: false, keep: false, sink: body)
        guard !result.exceedsLimit, result.size == expectedSize else {
            throw .corruptZip(path: path, reason: "member inflates to \(result.exceedsLimit ? "more than \(expectedSize)" : "\(result.size)") bytes, expected \(expectedSize)")
        }
    }

    /// The size a zlib stream (PNG's IDAT data) inflates to, up to `limit + 1`, counted through a
    /// small scratch buffer so nothing of that size is allocated.
    static func zlibInflatedSize(_ bytes: ArraySlice<UInt8>, limit: Int, path: String) throws(DatasetError) -> Inflated {
        try inflate(bytes, windowBits: 15, limit: limit, path: path, multiMember: false, keep: false)
    }

    /// Compresses `bytes` at level 9 as gzip (`windowBits` 31), zlib (15) or raw deflate (-15):
    /// for tests and fixtures, which build malformed files in memory.
    static func deflate(_ bytes: [UInt8], windowBits: Int32) -> [UInt8] {
        precondition(bytes.count < Int(UInt32.max), "deflate helper takes less than 4 GiB")
        var stream = z_stream()
        guard deflateInit2_(&stream, 9, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                            Int32(MemoryLayout<z_stream>.size)) == Z_OK else { preconditionFailure("zlib could not start") }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 32)
        var input = bytes
        let status = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                return CZlib.deflate(&stream, Z_FINISH)
            }
        }
        precondition(status == Z_STREAM_END, "deflate did not finish")
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }

    /// CRC-32 as used by zip, gzip and PNG (in pieces, as zlib takes 32-bit lengths).
    static func crc32(_ bytes: [UInt8]) -> UInt32 { crc32(bytes[...]) }

    /// CRC-32 of a slice (PNG chunks are checked in place).
    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            var crc: uLong = CZlib.crc32(0, nil, 0)
            var offset = 0
            while offset < buffer.count {
                let piece = min(buffer.count - offset, 1 << 30)
                crc = CZlib.crc32(crc, buffer.baseAddress! + offset, uInt(piece))
                offset += piece
            }
            return UInt32(truncatingIfNeeded: crc)
        }
    }

    /// Inflates `input` until the stream ends or `limit` bytes are out, growing the output
    /// geometrically but never past `limit + 1` bytes (the one extra byte tells "exactly `limit`"
    /// from "more"). With `keep` false the bytes are counted in a 64 KiB scratch buffer instead,
    /// and each filled piece of it (never a byte past `limit`) goes to `sink`.
    /// A stream that stops before its end marker is `.corruptGzip`.
    private static func inflate(_ input: ArraySlice<UInt8>, windowBits: Int32, limit: Int, path: String,
                                multiMember: Bool, keep: Bool,
                                sink: (UnsafeBufferPointer<UInt8>) throws(DatasetError) -> Void = { _ in }) throws(DatasetError) -> Inflated {
        precondition(limit >= 0 && limit < Int.max)
        guard !input.isEmpty else { throw .corruptGzip(path: path, reason: "the stream is empty") }
        let cap = limit + 1
        let scratch = 1 << 16
        var output = [UInt8](repeating: 0, count: keep ? min(cap, max(input.count * 4, 1024)) : min(cap, scratch))
        var stream = z_stream()
        guard inflateInit2_(&stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .corruptGzip(path: path, reason: "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var produced = 0   // bytes in `output` (keep) or in total (counting)
        var filled = 0     // bytes in `output`
        var consumed = 0
        var status: Int32 = Z_OK
        while produced < cap {
            if filled == output.count {
                if keep {
                    output.append(contentsOf: repeatElement(0, count: min(cap, output.count * 2) - output.count))
                } else {
                    // Only bytes within `limit` reach here: the loop stops once `cap` are out.
                    try output.withUnsafeBufferPointer { (piece) throws(DatasetError) in try sink(UnsafeBufferPointer(rebasing: piece[0..<filled])) }
                    filled = 0
                }
            }
            let room = min(output.count - filled, cap - produced, 1 << 30)
            let available = min(input.count - consumed, 1 << 30)
            var made = 0
            status = input.withUnsafeBufferPointer { inBuffer in
                output.withUnsafeMutableBufferPointer { outBuffer in
                    stream.next_in = UnsafeMutablePointer(mutating: inBuffer.baseAddress! + consumed)
                    stream.avail_in = uInt(available)
                    stream.next_out = outBuffer.baseAddress! + filled
                    stream.avail_out = uInt(room)
                    let result = CZlib.inflate(&stream, Z_NO_FLUSH)
                    consumed += available - Int(stream.avail_in)
                    made = room - Int(stream.avail_out)
                    return result
                }
            }
            filled += made
            produced += made
            if status == Z_STREAM_END {
                // Concatenated gzip members: start again on what follows.
                guard multiMember, consumed < input.count, input[input.startIndex + consumed] == 0x1f else { break }
                inflateReset(&stream)
                continue
            }
            if status == Z_BUF_ERROR && made == 0 && stream.avail_out > 0 {
                throw .corruptGzip(path: path, reason: "the stream ends early")
            }
            guard status == Z_OK || status == Z_BUF_ERROR else {
                let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                throw .corruptGzip(path: path, reason: message)
            }
        }
        let size = min(produced, limit)
        if !keep, produced <= limit, filled > 0 {
            try output.withUnsafeBufferPointer { (piece) throws(DatasetError) in try sink(UnsafeBufferPointer(rebasing: piece[0..<filled])) }
        }
        if keep { output.removeSubrange(size...) } else { output = [] }
        return Inflated(bytes: output, size: size, exceedsLimit: produced > limit)
    }
}
