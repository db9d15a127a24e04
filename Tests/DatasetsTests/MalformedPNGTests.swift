import Foundation
import Testing
@testable import Datasets

/// PNG files are checked chunk by chunk in Swift before libpng, which would decode what it can
/// of a damaged file and hide the damage.
@Suite struct MalformedPNGTests {
    let path = "memory.png"

    func be(_ value: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8((value >> $0) & 0xFF) } }

    func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return be(data.count) + body + be(Int(Zlib.crc32(body)))
    }

    func ihdr(width: Int, height: Int, depth: UInt8 = 8, colour: UInt8 = 2, interlace: UInt8 = 0) -> [UInt8] {
        chunk("IHDR", be(width) + be(height) + [depth, colour, 0, 0, interlace])
    }

    /// A 2×2 RGB image: red, blue / blue, red, each row with filter byte 0.
    var rows: [UInt8] { [0, 255, 0, 0, 0, 0, 255, 0, 0, 0, 255, 255, 0, 0] }

    func png(header: [UInt8]? = nil, idat: [UInt8]? = nil, end: [UInt8]? = nil) -> [UInt8] {
        PNGFile.signature + (header ?? ihdr(width: 2, height: 2)) + chunk("IDAT", idat ?? Zlib.deflate(rows, windowBits: 15))
            + (end ?? chunk("IEND", []))
    }

    @Test func wellFormedImagesDecodeFromMemory() throws {
        #expect(try PNGFile.validate(png(), path: path) == (2, 2))
        let pixels = try ImageFolder.decode(bytes: png(), path: path, channels: 3, side: 2)
        #expect(pixels == [255, 0, 0, 255, 0, 0, 0, 0, 0, 255, 255, 0])
        let fixture = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixture.path("tiny.png"))))
        #expect(try PNGFile.validate(fixture, path: path) == (6, 4))
    }

    @Test func truncatedFilesAreRefused() {
        let whole = png()
        #expect(throws: DatasetError.corruptPNG(path: path, reason: "the file ends at byte \(whole.count - 5) without an IEND chunk (truncated)")) {
            try PNGFile.validate(Array(whole.prefix(whole.count - 5)), path: path)
        }
        // Cut inside the IDAT chunk (which starts at byte 33).
        #expect(throws: DatasetError.corruptPNG(path: path, reason: "chunk IDAT at byte 33 declares \(whole.count - 33 - 24) bytes but the file ends at byte 45 (truncated)")) {
            try PNGFile.validate(Array(whole.prefix(45)), path: path)
        }
        // The same through the decoder: libpng never sees it.
        #expect(throws: DatasetError.corruptPNG(path: path, reason: "chunk IDAT at byte 33 declares \(whole.count - 33 - 24) bytes but the file ends at byte 45 (truncated)")) {
            try ImageFolder.decode(bytes: Array(whole.prefix(45)), path: path, channels: 1, side: 8)
        }
    }

    @Test func badCRCIsRefused() {
        var bytes = png()
        bytes[42] ^= 0x01   // inside IDAT's data
        #expect(throws: DatasetError.corruptPNG(path: path, reason: "chunk IDAT at byte 33 fails its CRC-32 check")) {
            try PNGFile.validate(bytes, path: path)
        }
    }

    @Test func missingIENDOrIDATIsRefused() {
        let whole = png()
        #expect(throws: DatasetError.corruptPNG(path: path, reason: "the file ends at byte \(whole.count - 12) without an IEND chunk (truncated)")) {
            try PNGFile.validate(Array(whole.prefix(whole.count - 12)), path: path)
        }
        #expect(throws: DatasetError.corruptPNG(path: path, reason: "no IDAT chunk before IEND")) {
            try PNGFile.validate(PNGFile.signature + ihdr(width: 2, height: 2) + chunk("IEND", []), path: path)
        }
        #expect(throws: DatasetError.corruptPNG(path: path, reason: "3 bytes after IEND")) {
            try PNGFile.validate(whole + [1, 2, 3], path: path)
        }
        #expect(throws: DatasetError.corruptPNG(path: path, reason: "the first chunk is IDAT, not IHDR")) {
            try PNGFile.validate(PNGFile.signature + chunk("IDAT", []) + chunk("IEND", []), path: path)
        }
    }

    @Test func zeroOrHugeSizesAreRefused() {
        #expect(throws: DatasetError.corruptPNG(path: path, reason: "size 0×2 is outside 1…16384 pixels per side")) {
            try PNGFile.validate(png(header: ihdr(width: 0, height: 2)), path: path)
        }
        #expect(throws: DatasetError.corruptPNG(path: path, reason: "size 2×100000 is outside 1…16384 pixels per side")) {
            try PNGFile.validate(png(header: ihdr(width: 2, height: 100_000)), path: path)
        }
        #expect(throws: DatasetError.corruptPNG(path: path, reason: "bit depth 4 with colour type 2 is not a valid combination")) {
            try PNGFile.validate(png(header: ihdr(width: 2, height: 2, depth: 4)), path: path)
        }
        #expect(throws: DatasetError.corruptPNG(path: path, reason: "unknown compression, filter or interlace method in IHDR")) {
            try PNGFile.validate(png(header: ihdr(width: 2, height: 2, interlace: 2)), path: path)
        }
        #expect(throws: DatasetError.corruptPNG(path: path, reason: "an indexed-colour image without a PLTE chunk")) {
            try PNGFile.validate(png(header: ihdr(width: 2, height: 2, colour: 3)), path: path)
        }
    }

    /// Chunks with valid CRCs whose image data is short, damaged or too long.
    @Test func imageDataMustMatchTheHeader() {
        #expect(throws: DatasetError.corruptPNG(path: path, reason: "the image data inflates to 7 bytes, expected 14")) {
            try PNGFile.validate(png(idat: Zlib.deflate(Array(rows.prefix(7)), windowBits: 15)), path: path)
        }
        #expect(throws: DatasetError.corruptPNG(path: path, reason: "the image data inflates to more than 14 bytes, expected 14")) {
            try PNGFile.validate(png(idat: Zlib.deflate(rows + rows, windowBits: 15)), path: path)
        }
        let stream = Zlib.deflate(rows, windowBits: 15)
        #expect(throws: DatasetError.corruptPNG(path: path, reason: "the image data is damaged (the stream ends early)")) {
            try PNGFile.validate(png(idat: Array(stream.prefix(stream.count - 6))), path: path)
        }
        // Adam7: a 2×2 8-bit grey image has passes 1 (1×1), 6 (1×1) and 7 (2×1), each row with a filter byte.
        #expect(PNGFile.rawSize(width: 2, height: 2, bitsPerPixel: 8, interlaced: true) == 2 + 2 + 3)
        #expect(PNGFile.rawSize(width: 5, height: 3, bitsPerPixel: 1, interlaced: false) == 3 * 2)
    }

    @Test func signatureAndOptions() {
        #expect(throws: DatasetError.notPNG(path: path)) { try PNGFile.validate(Array("GIF89a".utf8), path: path) }
        #expect(throws: DatasetError.invalidOption("--channels must be 1 or 3, not 2")) {
            try ImageFolder.decode(bytes: png(), path: path, channels: 2, side: 64)
        }
        #expect(throws: DatasetError.invalidOption("image side must be 1…4096, not 0")) {
            try ImageFolder.decode(bytes: png(), path: path, channels: 3, side: 0)
        }
    }

    /// The folder loader reports a truncated file by its path.
    @Test func folderLoaderNamesTheDamagedFile() {
        let folder = Fixture.temporaryFolder()
        let whole = png()
        Fixture.write(whole, folder + "/a.png")
        Fixture.write(Array(whole.prefix(whole.count - 12)), folder + "/b.png")
        #expect(throws: DatasetError.corruptPNG(path: folder + "/b.png", reason: "the file ends at byte \(whole.count - 12) without an IEND chunk (truncated)")) {
            try ImageFolder.load(folder: folder, channels: 3)
        }
        #expect(throws: DatasetError.invalidOption("--limit must be positive, not -1")) {
            try ImageFolder.load(folder: folder, channels: 3, limit: -1)
        }
    }
}
