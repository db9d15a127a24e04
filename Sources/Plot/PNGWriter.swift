import CZlib

/// A PNG encoder for Cairo's ARGB32 surfaces (PNG specification, ISO/IEC 15948): the Paeth filter on
/// every row and zlib at level 3. Cairo's own writer leaves libpng at its defaults — every filter
/// tried on every row, zlib level 6 — which took 60% of a figure's rendering time for a few
/// percent smaller files. Output is deterministic: no time or text chunks.
enum PNGWriter {
    /// PNG bytes for `width × height` premultiplied ARGB32 pixels (native-endian words, `stride` bytes a row).
    static func encode(width: Int, height: Int, stride: Int, pixels: UnsafePointer<UInt8>) -> [UInt8]? {
        // Opaque images (every figure paints a white background) are written as RGB.
        var opaque = true
        for y in 0..<height where opaque {
            let row = UnsafeRawPointer(pixels + y * stride).assumingMemoryBound(to: UInt32.self)
            for x in 0..<width where row[x] >> 24 != 0xFF { opaque = false; break }
        }
        let channels = opaque ? 3 : 4
        let rowBytes = 1 + width * channels
        // Unfiltered scanlines first (un-premultiplied), then the Paeth filter on each row.
        let lineBytes = width * channels
        var lines = [UInt8](repeating: 0, count: lineBytes * height)
        lines.withUnsafeMutableBufferPointer { out in
            for y in 0..<height {
                let row = UnsafeRawPointer(pixels + y * stride).assumingMemoryBound(to: UInt32.self)
                for x in 0..<width {
                    let p = row[x]
                    let a = UInt8(p >> 24)
                    var (r, g, b) = (UInt8((p >> 16) & 0xFF), UInt8((p >> 8) & 0xFF), UInt8(p & 0xFF))
                    if a != 0xFF && a != 0 {   // un-premultiply
                        r = UInt8(min(255, (Int(r) * 255 + Int(a) / 2) / Int(a)))
                        g = UInt8(min(255, (Int(g) * 255 + Int(a) / 2) / Int(a)))
                        b = UInt8(min(255, (Int(b) * 255 + Int(a) / 2) / Int(a)))
                    }
                    let o = y * lineBytes + x * channels
                    out[o] = r
                    out[o + 1] = g
                    out[o + 2] = b
                    if channels == 4 { out[o + 3] = a }
                }
            }
        }
        var raw = [UInt8](repeating: 0, count: rowBytes * height)
        lines.withUnsafeBufferPointer { line in
            raw.withUnsafeMutableBufferPointer { out in
                for y in 0..<height {
                    out[y * rowBytes] = 4   // filter type Paeth
                    for i in 0..<lineBytes {
                        let x = Int(line[y * lineBytes + i])
                        let a = i >= channels ? Int(line[y * lineBytes + i - channels]) : 0
                        let b = y > 0 ? Int(line[(y - 1) * lineBytes + i]) : 0
                        let c = i >= channels && y > 0 ? Int(line[(y - 1) * lineBytes + i - channels]) : 0
                        let p = a + b - c
                        let (pa, pb, pc) = (abs(p - a), abs(p - b), abs(p - c))
                        let predictor = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
                        out[y * rowBytes + 1 + i] = UInt8(truncatingIfNeeded: x - predictor)
                    }
                }
            }
        }
        guard let compressed = deflate(raw) else { return nil }
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        func bigEndian(_ value: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8((value >> $0) & 0xFF) } }
        func chunk(_ type: String, _ data: [UInt8]) {
            let body = Array(type.utf8) + data
            png += bigEndian(data.count) + body
            let crc = body.withUnsafeBufferPointer { UInt32(CZlib.crc32(0, $0.baseAddress, uInt($0.count))) }
            png += bigEndian(Int(crc))
        }
        chunk("IHDR", bigEndian(width) + bigEndian(height) + [8, opaque ? 2 : 6, 0, 0, 0])
        chunk("IDAT", compressed)
        chunk("IEND", [])
        return png
    }

    /// zlib-wrapped deflate of `data` at level 3.
    private static func deflate(_ data: [UInt8]) -> [UInt8]? {
        var length = compressBound(uLong(data.count))
        var out = [UInt8](repeating: 0, count: Int(length))
        let status = out.withUnsafeMutableBufferPointer { dest in
            data.withUnsafeBufferPointer { source in
                compress2(dest.baseAddress, &length, source.baseAddress, uLong(source.count), 3)
            }
        }
        guard status == Z_OK else { return nil }
        out.removeSubrange(Int(length)...)
        return out
    }
}
