import CGif
import Foundation

/// The fixed palette of an animated GIF (one global colour table, no per-frame tables, no dithering).
public enum GIFPalette: Sendable, Equatable {
    /// 256 grey levels: index v is (v, v, v), so grey pixels are written exactly.
    case grey
    /// A 6 × 7 × 6 colour cube (252 colours; green, to which the eye is most sensitive, gets 7
    /// levels): each channel is rounded to its nearest level. Grey pixels land on the cube's 6
    /// grey levels, so figures that are grey throughout should use `.grey`.
    case colourCube

    /// The palette's 256 entries as RGB triples.
    var colours: [(UInt8, UInt8, UInt8)] {
        switch self {
        case .grey: return (0..<256).map { (UInt8($0), UInt8($0), UInt8($0)) }
        case .colourCube:
            var table: [(UInt8, UInt8, UInt8)] = []
            for r in 0..<6 { for g in 0..<7 { for b in 0..<6 {
                table.append((UInt8(r * 255 / 5), UInt8(g * 255 / 6), UInt8(b * 255 / 5)))
            } } }
            return table + Array(repeating: (0, 0, 0), count: 256 - table.count)
        }
    }

    /// The palette index of one pixel.
    @inline(__always) func index(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
        switch self {
        case .grey:
            let luma: Int = Int(r) * 77 + Int(g) * 150 + Int(b) * 29
            return UInt8((luma + 128) >> 8)
        case .colourCube:
            let ri: Int = (Int(r) * 5 + 127) / 255
            let gi: Int = (Int(g) * 6 + 127) / 255
            let bi: Int = (Int(b) * 5 + 127) / 255
            return UInt8(ri * 42 + gi * 6 + bi)
        }
    }
}

/// An animated GIF89a written through giflib's EGif API: frames of one size, one fixed global
/// palette, the same delay on every frame (centiseconds; each frame replaces the last in full),
/// and the NETSCAPE2.0 application extension asking viewers to loop forever. The file is written
/// under a temporary name and renamed into place by `finish()`; a writer dropped before `finish()`
/// (or after an error) closes and removes its temporary file. Every giflib status is checked and a
/// failure throws `PlotError.write` naming the destination.
public final class GIFWriter {
    public let path: String
    public let width: Int
    public let height: Int
    public let palette: GIFPalette
    public let delay: Int
    private let temporary: String
    private var file: UnsafeMutablePointer<GifFileType>?
    public private(set) var frameCount = 0

    /// Opens `path`'s temporary file and writes the header, the palette and the loop extension.
    /// `delay` is in centiseconds (1…65,535; browsers treat 0 and 1 as about 10).
    public init(path: String, width: Int, height: Int, palette: GIFPalette, delay: Int) throws(PlotError) {
        guard (1...65_535).contains(width), (1...65_535).contains(height) else {
            throw .write(path: path, reason: "GIF size \(width)×\(height) outside 1…65,535")
        }
        guard (0...65_535).contains(delay) else { throw .write(path: path, reason: "GIF delay \(delay) cs outside 0…65,535") }
        self.path = path
        self.width = width
        self.height = height
        self.palette = palette
        self.delay = delay
        temporary = path + ".tmp-\(getpid())"
        // Opened here rather than with EGifOpenFileName, which creates files readable by their owner
        // only: the GIF gets the umask's permissions, like every other figure.
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o666)
        guard descriptor >= 0 else { throw .write(path: path, reason: String(cString: strerror(errno))) }
        var error: Int32 = 0
        guard let opened = EGifOpenFileHandle(descriptor, &error) else {
            close(descriptor)
            unlink(temporary)
            throw .write(path: path, reason: "giflib cannot open \(temporary): \(GIFWriter.message(error))")
        }
        file = opened
        EGifSetGifVersion(opened, true)
        let colours = palette.colours.map { GifColorType(Red: $0.0, Green: $0.1, Blue: $0.2) }
        guard let map = colours.withUnsafeBufferPointer({ GifMakeMapObject(256, $0.baseAddress) }) else {
            abandon()
            throw .write(path: path, reason: "giflib cannot allocate a colour map")
        }
        defer { GifFreeMapObject(map) }
        try check(EGifPutScreenDesc(opened, Int32(width), Int32(height), 8, 0, map), "writing the screen descriptor")
        // NETSCAPE2.0: sub-block 1 holds the loop count (0 = forever), little-endian.
        try check(EGifPutExtensionLeader(opened, APPLICATION_EXT_FUNC_CODE), "writing the loop extension")
        try check(Array("NETSCAPE2.0".utf8).withUnsafeBytes { EGifPutExtensionBlock(opened, 11, $0.baseAddress) }, "writing the loop extension")
        try check([UInt8(1), 0, 0].withUnsafeBytes { EGifPutExtensionBlock(opened, 3, $0.baseAddress) }, "writing the loop extension")
        try check(EGifPutExtensionTrailer(opened), "writing the loop extension")
    }

    deinit { abandon() }

    /// Appends one frame: `width × height` pixels, row by row, `channels` bytes each (1 grey, 3 RGB, 4 RGBA with the alpha ignored).
    public func add(_ pixels: [UInt8], channels: Int) throws(PlotError) {
        guard let file else { throw .write(path: path, reason: "GIF already finished or abandoned") }
        guard [1, 3, 4].contains(channels), pixels.count == width * height * channels else {
            throw .write(path: path, reason: "frame of \(pixels.count) bytes is not \(width)×\(height)×\(channels)")
        }
        var indices = [UInt8](repeating: 0, count: width * height)
        pixels.withUnsafeBufferPointer { p in
            indices.withUnsafeMutableBufferPointer { out in
                for i in 0..<(width * height) {
                    if channels == 1 {
                        out[i] = palette == .grey ? p[i] : palette.index(p[i], p[i], p[i])
                    } else {
                        out[i] = palette.index(p[i * channels], p[i * channels + 1], p[i * channels + 2])
                    }
                }
            }
        }
        // Graphic control extension: disposal 1 (leave in place; the next frame covers it), no
        // transparency, the delay in centiseconds little-endian.
        let control: [UInt8] = [0x04, UInt8(delay & 0xFF), UInt8(delay >> 8), 0]
        try check(control.withUnsafeBytes { EGifPutExtension(file, GRAPHICS_EXT_FUNC_CODE, 4, $0.baseAddress) }, "writing frame \(frameCount)'s delay")
        try check(EGifPutImageDesc(file, 0, 0, Int32(width), Int32(height), false, nil), "writing frame \(frameCount)'s descriptor")
        try check(indices.withUnsafeMutableBufferPointer { EGifPutLine(file, $0.baseAddress, Int32($0.count)) }, "writing frame \(frameCount)'s pixels")
        frameCount += 1
    }

    /// Writes the trailer, closes the file and renames it into place.
    public func finish() throws(PlotError) {
        guard let opened = file else { throw .write(path: path, reason: "GIF already finished or abandoned") }
        guard frameCount > 0 else { abandon(); throw .write(path: path, reason: "a GIF needs at least one frame") }
        file = nil
        var error: Int32 = 0
        guard EGifCloseFile(opened, &error) == GIF_OK else {
            unlink(temporary)
            throw .write(path: path, reason: "giflib failed closing the file: \(GIFWriter.message(error))")
        }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw .write(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// Writes `frames` (each `width × height × channels` bytes) to `path` in one go.
    public static func write(frames: [[UInt8]], width: Int, height: Int, channels: Int, palette: GIFPalette, delay: Int,
                             to path: String) throws(PlotError) {
        let writer = try GIFWriter(path: path, width: width, height: height, palette: palette, delay: delay)
        for frame in frames { try writer.add(frame, channels: channels) }
        try writer.finish()
    }

    private func check(_ status: Int32, _ action: String) throws(PlotError) {
        guard status == GIF_OK else {
            let code = file?.pointee.Error ?? 0
            abandon()
            throw .write(path: path, reason: "giflib failed \(action): \(GIFWriter.message(code))")
        }
    }

    /// Closes the file without finishing it and removes the temporary file.
    private func abandon() {
        guard let opened = file else { return }
        file = nil
        var error: Int32 = 0
        _ = EGifCloseFile(opened, &error)
        unlink(temporary)
    }

    private static func message(_ code: Int32) -> String {
        GifErrorString(code).map { String(cString: $0) } ?? "giflib error \(code)"
    }
}

extension Figure {
    /// Writes `frames` (figures of one size, drawn at 1 pixel per point) as an animated GIF looping
    /// forever, `delay` centiseconds a frame: the 256-grey palette when every pixel of every frame
    /// is grey, else the 6 × 7 × 6 colour cube (`GIFPalette`). Transparent pixels are shown over white.
    public static func writeAnimation(_ frames: [Figure], delay: Int, to path: String) throws(PlotError) {
        guard let first = frames.first else { throw .write(path: path, reason: "an animation needs at least one frame") }
        var rendered: [[UInt8]] = []
        var grey = true
        for frame in frames {
            let (w, h, rgba) = try frame.rgba(scale: 1)
            guard w == Int(first.width.rounded()), h == Int(first.height.rounded()) else {
                throw .write(path: path, reason: "animation frames differ in size")
            }
            var rgb = [UInt8](repeating: 0, count: w * h * 3)
            for i in 0..<(w * h) {
                let a = Int(rgba[i * 4 + 3])
                for c in 0..<3 {
                    let value: Int = Int(rgba[i * 4 + c]) * a + 255 * (255 - a)
                    rgb[i * 3 + c] = UInt8((value + 127) / 255)
                }
                if grey && (rgb[i * 3] != rgb[i * 3 + 1] || rgb[i * 3 + 1] != rgb[i * 3 + 2]) { grey = false }
            }
            rendered.append(rgb)
        }
        try GIFWriter.write(frames: rendered, width: Int(first.width.rounded()), height: Int(first.height.rounded()), channels: 3,
                            palette: grey ? .grey : .colourCube, delay: delay, to: path)
    }
}
