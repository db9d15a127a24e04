import CCairo
import Foundation

/// A folder of PNG images (CelebA-style): each decoded with Cairo (libpng), centre-cropped to a
/// square, resized to `side × side` with Cairo's bilinear filter over a white background, and kept
/// as bytes, RGB (3 channels) or grey (1 channel, ITU-R BT.601 luma).
public enum ImageFolder {
    /// Loads every `*.png` in `folder` (sorted by name, so the order is the same everywhere).
    public static func load(folder: String, channels: Int, side: Int = 64, limit: Int? = nil) throws(DatasetError) -> ByteImageSet {
        try checkOptions(channels: channels, side: side)
        if let limit, limit < 1 { throw .invalidOption("--limit must be positive, not \(limit)") }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw .missing(path: folder, hint: "Give a folder of PNG images as images:DIR.")
        }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.lowercased().hasSuffix(".png") }.sorted()
        guard !names.isEmpty else { throw .emptyFolder(path: folder) }
        let chosen = limit.map { Array(names.prefix($0)) } ?? names
        try DatasetLimits.reserve(chosen.count * channels * side * side, for: "\(chosen.count) images of \(channels)×\(side)×\(side)", path: folder)
        var pixels = [UInt8]()
        pixels.reserveCapacity(chosen.count * channels * side * side)
        for name in chosen {
            let path = folder + "/" + name
            pixels += try decode(bytes: try readFile(path), path: path, channels: channels, side: side)
        }
        return ByteImageSet(imageShape: [channels, side, side], pixels: pixels)
    }

    /// The largest `side` an image may be resized to.
    public static let maximumSide = 4096

    static func checkOptions(channels: Int, side: Int) throws(DatasetError) {
        guard channels == 1 || channels == 3 else { throw .invalidOption("--channels must be 1 or 3, not \(channels)") }
        guard (1...maximumSide).contains(side) else { throw .invalidOption("image side must be 1…\(maximumSide), not \(side)") }
    }

    /// One PNG file's `bytes` as C·side·side bytes (channel planes, PyTorch's layout), naming
    /// `path` in errors. The bytes are validated by `PNGFile.validate` first (libpng alone
    /// accepts truncated files), then decoded from memory.
    public static func decode(bytes: [UInt8], path: String, channels: Int, side: Int) throws(DatasetError) -> [UInt8] {
        try checkOptions(channels: channels, side: side)
        let size = try PNGFile.validate(bytes, path: path)
        guard let png = DecodedPNG(bytes: bytes) else {
            throw .corruptPNG(path: path, reason: "libpng could not decode it")
        }
        guard png.width == size.width, png.height == size.height else {
            throw .corruptPNG(path: path, reason: "decoded as \(png.width)×\(png.height), not \(size.width)×\(size.height)")
        }
        guard let raster = CairoRaster(width: side, height: side, format: CAIRO_FORMAT_RGB24) else {
            throw .unreadable(path: path, reason: "Cairo could not allocate an image")
        }
        let cr = raster.context
        cairo_set_source_rgb(cr, 1, 1, 1)
        cairo_paint(cr)
        let crop = min(png.width, png.height)
        let scale = Double(side) / Double(crop)
        cairo_scale(cr, scale, scale)
        cairo_set_source_surface(cr, png.surface, -Double(png.width - crop) / 2, -Double(png.height - crop) / 2)
        let pattern = cairo_get_source(cr)
        cairo_pattern_set_filter(pattern, scale < 1 ? CAIRO_FILTER_GOOD : CAIRO_FILTER_BILINEAR)
        // Pad, not transparent, beyond the edges: border pixels keep their own colour.
        cairo_pattern_set_extend(pattern, CAIRO_EXTEND_PAD)
        cairo_paint(cr)
        var out = [UInt8](repeating: 0, count: channels * side * side)
        let plane = side * side
        raster.withRows { row, data in
            data.withMemoryRebound(to: UInt32.self, capacity: side) { words in
                for column in 0..<side {
                    let word = words[column]
                    let (r, g, b) = (UInt8((word >> 16) & 0xFF), UInt8((word >> 8) & 0xFF), UInt8(word & 0xFF))
                    let at = row * side + column
                    if channels == 3 {
                        (out[at], out[plane + at], out[2 * plane + at]) = (r, g, b)
                    } else {
                        let luma: Double = 0.299 * Double(r) + 0.587 * Double(g) + 0.114 * Double(b)
                        out[at] = UInt8(luma.rounded())
                    }
                }
            }
        }
        return out
    }
}
