import CCairo
import Foundation
import Testing
@testable import Plot

/// Our PNG files decode (with Cairo's libpng reader) to exactly the pixels that were drawn.
@Suite struct PNGWriterTests {
    func decode(_ path: String) -> (width: Int, height: Int, rgb: [UInt8])? {
        guard let surface = cairo_image_surface_create_from_png(path), cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else { return nil }
        defer { cairo_surface_destroy(surface) }
        let w = Int(cairo_image_surface_get_width(surface)), h = Int(cairo_image_surface_get_height(surface))
        let stride = Int(cairo_image_surface_get_stride(surface))
        guard let data = cairo_image_surface_get_data(surface) else { return nil }
        var rgb: [UInt8] = []
        for y in 0..<h {
            let row = UnsafeRawPointer(data + y * stride).assumingMemoryBound(to: UInt32.self)
            for x in 0..<w { rgb += [UInt8((row[x] >> 16) & 0xFF), UInt8((row[x] >> 8) & 0xFF), UInt8(row[x] & 0xFF)] }
        }
        return (w, h, rgb)
    }

    @Test func writtenPNGDecodesToTheDrawnPixels() throws {
        let figure = Figure(width: 240, height: 160, columns: 2, panels: [
            .axes(Axes(title: "t", marks: [.line(LineSeries(x: [0, 1, 2], y: [1, 3, 2], label: "a")),
                                          .scatter(ScatterSeries(x: [0.5, 1.5], y: [2, 2.5], categories: [0, 1], alpha: 0.5))])),
            .images(ImageGrid(cells: [[GridImage(width: 3, height: 3, channels: 3, pixels: (0..<27).map { Float($0) / 26 })]])),
        ])
        let path = NSTemporaryDirectory() + "png-\(UUID().uuidString).png"
        try figure.write(to: path, format: .png(scale: 2))
        guard let decoded = decode(path) else { Issue.record("libpng could not read our PNG"); return }
        let drawn = try figure.rgba(scale: 2)
        #expect(decoded.width == drawn.width && decoded.height == drawn.height)
        var differing = 0
        for i in 0..<(drawn.width * drawn.height) where Array(drawn.bytes[(4 * i)..<(4 * i + 3)]) != Array(decoded.rgb[(3 * i)..<(3 * i + 3)]) {
            differing += 1
        }
        #expect(differing == 0, "\(differing) pixels differ")
        // Opaque figures are written as 8-bit RGB (colour type 2).
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(bytes[24] == 8 && bytes[25] == 2)
    }
}
