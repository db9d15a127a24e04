import Foundation
import Testing
@testable import Plot

/// The GIF writer's files decode with giflib to the frames, delay, loop extension and size written.
@Suite struct GIFWriterTests {
    @Test func greyFramesRoundTripExactly() throws {
        let (w, h) = (5, 3)
        let frames: [[UInt8]] = (0..<4).map { f in (0..<(w * h)).map { UInt8(($0 * 17 + f * 60) % 256) } }
        let path = NSTemporaryDirectory() + "gif-\(UUID().uuidString).gif"
        defer { unlink(path) }
        try GIFWriter.write(frames: frames, width: w, height: h, channels: 1, palette: .grey, delay: 8, to: path)
        let decoded = try #require(DecodedGIF(path: path))
        #expect(decoded.width == w && decoded.height == h)
        #expect(decoded.frames.count == 4)
        #expect(decoded.delays == [8, 8, 8, 8])
        #expect(decoded.loopsForever)
        for (f, frame) in frames.enumerated() { #expect(decoded.frames[f] == frame.flatMap { [$0, $0, $0] }) }
        #expect(decoded.frames[0] != decoded.frames[1])
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp-\(getpid())"))
        // Readable like every other figure (giflib's own open would make it owner-only).
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        let mask = umask(0); umask(mask)
        #expect(mode == 0o666 & ~Int(mask))
    }

    @Test func colourCubeRoundsEachChannelToItsLevel() throws {
        let path = NSTemporaryDirectory() + "gif-\(UUID().uuidString).gif"
        defer { unlink(path) }
        let frames: [[UInt8]] = [[255, 0, 0, 0, 255, 0, 10, 20, 250], [0, 0, 255, 255, 255, 255, 128, 128, 128]]
        try GIFWriter.write(frames: frames, width: 3, height: 1, channels: 3, palette: .colourCube, delay: 25, to: path)
        let decoded = try #require(DecodedGIF(path: path))
        #expect(decoded.frames == [[255, 0, 0, 0, 255, 0, 0, 0, 255], [0, 0, 255, 255, 255, 255, 153, 127, 153]])
        #expect(decoded.delays == [25, 25] && decoded.loopsForever)
    }

    @Test func figuresAnimateAndFailuresNameTheFile() throws {
        let frames = (0..<3).map { f in
            Figure(width: 60, height: 40, .images(ImageGrid(cells: [[GridImage(width: 2, height: 2, pixels: [0, 0.5, 1, Float(f) / 2])]],
                                                             title: "f\(f)")))
        }
        let path = NSTemporaryDirectory() + "gif-\(UUID().uuidString).gif"
        defer { unlink(path) }
        try Figure.writeAnimation(frames, delay: 8, to: path)
        let decoded = try #require(DecodedGIF(path: path))
        #expect(decoded.width == 60 && decoded.height == 40 && decoded.frames.count == 3 && decoded.delays == [8, 8, 8])
        #expect(Set(decoded.frames).count == 3)
        let missing = "/nonexistent-\(UUID())/a.gif"
        #expect(throws: PlotError.self) { try GIFWriter.write(frames: [[0]], width: 1, height: 1, channels: 1, palette: .grey, delay: 8, to: missing) }
        do { try GIFWriter.write(frames: [[0, 0]], width: 1, height: 1, channels: 1, palette: .grey, delay: 8, to: path + "x") } catch {
            #expect("\(error)".contains(path + "x"))
        }
        #expect(!FileManager.default.fileExists(atPath: path + "x"))
    }
}
