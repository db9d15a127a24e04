import CCairo

/// A Cairo image surface owned by Swift: created in `init`, destroyed in `deinit`, its status
/// checked. Used to draw sprites and to decode and resize PNG images.
final class CairoRaster {
    let surface: OpaquePointer
    let context: OpaquePointer
    let width: Int
    let height: Int

    /// A blank surface of `format` (CAIRO_FORMAT_A8 for masks, CAIRO_FORMAT_RGB24 for colour).
    init?(width: Int, height: Int, format: cairo_format_t) {
        guard let surface = cairo_image_surface_create(format, Int32(width), Int32(height)),
              cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else { return nil }
        guard let context = cairo_create(surface), cairo_status(context) == CAIRO_STATUS_SUCCESS else {
            cairo_surface_destroy(surface)
            return nil
        }
        self.surface = surface
        self.context = context
        self.width = width
        self.height = height
    }

    deinit {
        cairo_destroy(context)
        cairo_surface_destroy(surface)
    }

    /// Calls `body` with each row of pixels (bytes, `stride` apart) after flushing the drawing.
    func withRows(_ body: (_ row: Int, _ pixels: UnsafePointer<UInt8>) -> Void) {
        cairo_surface_flush(surface)
        guard let data = cairo_image_surface_get_data(surface) else { return }
        let stride = Int(cairo_image_surface_get_stride(surface))
        for row in 0..<height { body(row, UnsafePointer(data + row * stride)) }
    }
}

/// A PNG decoded by Cairo (libpng underneath) from bytes in memory, owned and destroyed by Swift.
final class DecodedPNG {
    let surface: OpaquePointer
    let width: Int
    let height: Int

    /// The bytes Cairo's read callback hands out, in order; a read past the end fails the decode.
    private final class Source {
        let bytes: [UInt8]
        var offset = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }
    }

    /// Decodes PNG `bytes` with cairo_image_surface_create_from_png_stream (no temporary file);
    /// nil when Cairo cannot read them as a PNG.
    init?(bytes: [UInt8]) {
        let source = Source(bytes)
        let read: cairo_read_func_t = { closure, data, length in
            guard let closure, let data else { return CAIRO_STATUS_READ_ERROR }
            let source = Unmanaged<Source>.fromOpaque(closure).takeUnretainedValue()
            let count = Int(length)
            guard count <= source.bytes.count - source.offset else { return CAIRO_STATUS_READ_ERROR }
            source.bytes.withUnsafeBufferPointer { data.update(from: $0.baseAddress! + source.offset, count: count) }
            source.offset += count
            return CAIRO_STATUS_SUCCESS
        }
        let surface = withExtendedLifetime(source) {
            cairo_image_surface_create_from_png_stream(read, Unmanaged.passUnretained(source).toOpaque())
        }
        guard let surface else { return nil }
        guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
            cairo_surface_destroy(surface)
            return nil
        }
        self.surface = surface
        width = Int(cairo_image_surface_get_width(surface))
        height = Int(cairo_image_surface_get_height(surface))
    }

    deinit { cairo_surface_destroy(surface) }
}
