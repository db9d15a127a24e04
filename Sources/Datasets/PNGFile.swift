/// The chunk structure of a PNG file (ISO/IEC 15948), checked in Swift before libpng sees it.
/// libpng (through Cairo) decodes what it can of a damaged file and keeps the rest blank, so a
/// truncated download would silently become a half-grey training image; checking the structure
/// first turns every such file into one error that names it.
public enum PNGFile {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Checks the signature; then every chunk (4-byte big-endian length, type, data, CRC-32);
    /// IHDR first with width and height in 1...`DatasetLimits.maximumImageSide` and a valid bit
    /// depth, colour type, compression, filter and interlace; PLTE before the image data of an
    /// indexed image; one run of IDAT chunks whose zlib stream inflates to exactly the size the
    /// header implies (counted, not stored); IEND last, with nothing after it. Returns the size.
    public static func validate(_ bytes: [UInt8], path: String) throws(DatasetError) -> (width: Int, height: Int) {
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else { throw .notPNG(path: path) }
        func u32(_ at: Int) -> Int { (0..<4).reduce(0) { $0 << 8 | Int(bytes[at + $1]) } }
        var position = 8
        var header: (width: Int, height: Int, depth: Int, colour: Int, interlace: Int)?
        var sawPalette = false
        var imageData = [UInt8]()
        var idatState = 0   // 0: none yet, 1: in the run, 2: run over
        while true {
            guard bytes.count - position >= 12 else {
                throw .corruptPNG(path: path, reason: "the file ends at byte \(bytes.count) without an IEND chunk (truncated)")
            }
            let length = u32(position)
            let typeBytes = bytes[(position + 4)..<(position + 8)]
            let type = String(decoding: typeBytes, as: UTF8.self)
            guard typeBytes.allSatisfy({ (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) else {
                throw .corruptPNG(path: path, reason: "byte \(position) does not start a chunk")
            }
            guard length <= 0x7FFF_FFFF, length <= bytes.count - position - 12 else {
                throw .corruptPNG(path: path, reason: "chunk \(type) at byte \(position) declares \(length) bytes but the file ends at byte \(bytes.count) (truncated)")
            }
            let dataStart = position + 8
            guard Zlib.crc32(bytes[(position + 4)..<(dataStart + length)]) == UInt32(u32(dataStart + length)) else {
                throw .corruptPNG(path: path, reason: "chunk \(type) at byte \(position) fails its CRC-32 check")
            }
            if header == nil && type != "IHDR" {
                throw .corruptPNG(path: path, reason: "the first chunk is \(type), not IHDR")
            }
            if idatState == 1 && type != "IDAT" { idatState = 2 }
            switch type {
            case "IHDR":
                guard header == nil else { throw .corruptPNG(path: path, reason: "a second IHDR chunk at byte \(position)") }
                guard length == 13 else { throw .corruptPNG(path: path, reason: "IHDR holds \(length) bytes, not 13") }
                let width = u32(dataStart), height = u32(dataStart + 4)
                let depth = Int(bytes[dataStart + 8]), colour = Int(bytes[dataStart + 9])
                let limit = DatasetLimits.maximumImageSide
                guard (1...limit).contains(width), (1...limit).contains(height) else {
                    throw .corruptPNG(path: path, reason: "size \(width)×\(height) is outside 1…\(limit) pixels per side")
                }
                let depths: [Int: [Int]] = [0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]]
                guard let allowed = depths[colour], allowed.contains(depth) else {
                    throw .corruptPNG(path: path, reason: "bit depth \(depth) with colour type \(colour) is not a valid combination")
                }
                guard bytes[dataStart + 10] == 0, bytes[dataStart + 11] == 0, bytes[dataStart + 12] <= 1 else {
                    throw .corruptPNG(path: path, reason: "unknown compression, filter or interlace method in IHDR")
                }
                header = (width, height, depth, colour, Int(bytes[dataStart + 12]))
            case "PLTE":
                guard idatState == 0 else { throw .corruptPNG(path: path, reason: "PLTE after the image data") }
                guard length >= 3, length <= 768, length % 3 == 0 else {
                    throw .corruptPNG(path: path, reason: "PLTE holds \(length) bytes, not 3…768 in threes")
                }
                sawPalette = true
            case "IDAT":
                guard idatState != 2 else { throw .corruptPNG(path: path, reason: "IDAT chunks are not consecutive") }
                if header?.colour == 3 && !sawPalette {
                    throw .corruptPNG(path: path, reason: "an indexed-colour image without a PLTE chunk")
                }
                idatState = 1
                imageData += bytes[dataStart..<(dataStart + length)]
            case "IEND":
                guard idatState != 0 else { throw .corruptPNG(path: path, reason: "no IDAT chunk before IEND") }
                guard length == 0 else { throw .corruptPNG(path: path, reason: "IEND holds \(length) bytes, not 0") }
                guard dataStart + 4 == bytes.count else {
                    throw .corruptPNG(path: path, reason: "\(bytes.count - dataStart - 4) bytes after IEND")
                }
                guard let header else { throw .corruptPNG(path: path, reason: "no IHDR") }
                let expected = rawSize(width: header.width, height: header.height,
                                       bitsPerPixel: header.depth * [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][header.colour, default: 1],
                                       interlaced: header.interlace == 1)
                let inflated: Zlib.Inflated
                do { inflated = try Zlib.zlibInflatedSize(imageData[...], limit: expected, path: path) } catch {
                    let reason: String
                    if case .corruptGzip(_, let why) = error { reason = why } else { reason = "\(error)" }
                    throw .corruptPNG(path: path, reason: "the image data is damaged (\(reason))")
                }
                guard !inflated.exceedsLimit, inflated.size == expected else {
                    throw .corruptPNG(path: path, reason: "the image data inflates to \(inflated.exceedsLimit ? "more than \(expected)" : "\(inflated.size)") bytes, expected \(expected)")
                }
                return (header.width, header.height)
            default:
                // Unknown critical chunks (upper-case first letter) cannot be skipped safely.
                guard typeBytes.first.map({ $0 >= 0x61 }) ?? false else {
                    throw .corruptPNG(path: path, reason: "unknown critical chunk \(type)")
                }
            }
            position = dataStart + length + 4
        }
    }

    /// Bytes of the filtered image data: per row a filter byte and the row's packed pixels; for
    /// Adam7 interlacing, the same over each non-empty pass.
    static func rawSize(width: Int, height: Int, bitsPerPixel: Int, interlaced: Bool) -> Int {
        func rows(_ w: Int, _ h: Int) -> Int { w == 0 || h == 0 ? 0 : h * (1 + (w * bitsPerPixel + 7) / 8) }
        guard interlaced else { return rows(width, height) }
        let passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
        return passes.reduce(0) { total, pass in
            let w = width > pass.0 ? (width - pass.0 + pass.2 - 1) / pass.2 : 0
            let h = height > pass.1 ? (height - pass.1 + pass.3 - 1) / pass.3 : 0
            return total + rows(w, h)
        }
    }
}
