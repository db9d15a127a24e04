import CGif
import Foundation

/// An animated GIF read back with giflib's DGif API (DGifSlurp): size, frames as RGB, per-frame
/// delays in centiseconds and whether the NETSCAPE2.0 loop-forever extension is present. The
/// reader of what `GIFWriter` writes, so Plot's and Report's tests check the files one way.
public struct DecodedGIF: Sendable {
    public private(set) var width = 0, height = 0
    /// Each frame's pixels, R, G, B per pixel, row after row.
    public private(set) var frames: [[UInt8]] = []
    public private(set) var delays: [Int] = []
    public private(set) var loopsForever = false

    /// Decodes the GIF at `path`; nil when giflib cannot read it.
    public init?(path: String) {
        var error: Int32 = 0
        guard let gif = DGifOpenFileName(path, &error) else { return nil }
        defer { DGifCloseFile(gif, &error) }
        guard DGifSlurp(gif) == GIF_OK, let map = gif.pointee.SColorMap else { return nil }
        width = Int(gif.pointee.SWidth)
        height = Int(gif.pointee.SHeight)
        for i in 0..<Int(gif.pointee.ImageCount) {
            let image = gif.pointee.SavedImages[i]
            let count = Int(image.ImageDesc.Width) * Int(image.ImageDesc.Height)
            var rgb: [UInt8] = []
            rgb.reserveCapacity(count * 3)
            for p in 0..<count {
                let colour = map.pointee.Colors[Int(image.RasterBits[p])]
                rgb += [colour.Red, colour.Green, colour.Blue]
            }
            frames.append(rgb)
            var gcb = GraphicsControlBlock()
            delays.append(DGifSavedExtensionToGCB(gif, Int32(i), &gcb) == GIF_OK ? Int(gcb.DelayTime) : -1)
            for e in 0..<Int(image.ExtensionBlockCount) {
                let block = image.ExtensionBlocks[e]
                guard block.Function == APPLICATION_EXT_FUNC_CODE, block.ByteCount == 11,
                      String(decoding: UnsafeBufferPointer(start: block.Bytes, count: 11), as: UTF8.self) == "NETSCAPE2.0",
                      e + 1 < Int(image.ExtensionBlockCount) else { continue }
                let next = image.ExtensionBlocks[e + 1]
                if next.ByteCount == 3, next.Bytes[0] == 1, next.Bytes[1] == 0, next.Bytes[2] == 0 { loopsForever = true }
            }
        }
    }
}
