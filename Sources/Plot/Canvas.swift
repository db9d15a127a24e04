import CCairo
import Foundation

/// The output kinds of a figure: PNG at a pixel scale (2× by default, for sharp output), SVG, PDF.
public enum FigureFormat: Equatable, Sendable {
    case png(scale: Double)
    case svg
    case pdf

    /// The file name extension for the format, without the dot.
    public var fileExtension: String {
        switch self {
        case .png: return "png"
        case .svg: return "svg"
        case .pdf: return "pdf"
        }
    }
}

/// A Cairo surface and its drawing context, owned by Swift: created in `init`, finished and
/// destroyed in `deinit`, with every status checked. Coordinates are in points; a PNG canvas maps
/// them to pixels through its scale.
final class Canvas {
    let surface: OpaquePointer
    let context: OpaquePointer
    let width: Double
    let height: Double
    let format: FigureFormat
    /// The font sizes the figure's parts use.
    let sizes: TextSizes
    /// An SVG canvas's labels, written as `<text>` elements by `finish` (see `SVGText`).
    var svgTexts: [SVGText] = []
    private let path: String?

    /// A canvas of `width × height` points writing to `path` (SVG and PDF stream to the file as they
    /// are drawn; PNG is written by `finish`).
    init(width: Double, height: Double, format: FigureFormat, path: String?, sizes: TextSizes = .screen) throws(PlotError) {
        self.width = width
        self.height = height
        self.format = format
        self.sizes = sizes
        self.path = path
        let created: OpaquePointer?
        switch format {
        case .png(let scale):
            created = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32((width * scale).rounded()), Int32((height * scale).rounded()))
        case .svg:
            created = cairo_svg_surface_create(path, width, height)
        case .pdf:
            created = cairo_pdf_surface_create(path, width, height)
        }
        guard let created, cairo_surface_status(created) == CAIRO_STATUS_SUCCESS else {
            if let created { cairo_surface_destroy(created) }
            throw .cairo(status: "cannot create surface", while: "opening \(path ?? "an image")")
        }
        if format == .pdf {
            // No creation date: the same figure gives the same bytes.
            cairo_pdf_surface_set_metadata(created, CAIRO_PDF_METADATA_CREATE_DATE, "")
            cairo_pdf_surface_set_metadata(created, CAIRO_PDF_METADATA_MOD_DATE, "")
            cairo_pdf_surface_set_metadata(created, CAIRO_PDF_METADATA_CREATOR, "betavae")
        }
        guard let context = cairo_create(created) else {
            cairo_surface_destroy(created)
            throw .cairo(status: "cannot create context", while: "drawing")
        }
        surface = created
        self.context = context
        if case .png(let scale) = format { cairo_scale(context, scale, scale) }
        cairo_set_source_rgb(context, 1, 1, 1)
        cairo_paint(context)
    }

    deinit {
        cairo_destroy(context)
        cairo_surface_destroy(surface)
    }

    /// Completes the file (writes the PNG; flushes SVG/PDF; adds an SVG's labels and numbers its
    /// ids in order) and checks for drawing errors.
    func finish() throws(PlotError) {
        let status = cairo_status(context)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw .cairo(status: String(cString: cairo_status_to_string(status)), while: "drawing")
        }
        cairo_surface_flush(surface)
        if case .png = format, let path {
            guard let data = cairo_image_surface_get_data(surface),
                  let bytes = PNGWriter.encode(width: Int(cairo_image_surface_get_width(surface)), height: Int(cairo_image_surface_get_height(surface)),
                                               stride: Int(cairo_image_surface_get_stride(surface)), pixels: data) else {
                throw .write(path: path, reason: "PNG encoding failed")
            }
            guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
                throw .write(path: path, reason: "cannot create the file")
            }
        }
        cairo_surface_finish(surface)
        let final = cairo_surface_status(surface)
        guard final == CAIRO_STATUS_SUCCESS else {
            throw .write(path: path ?? "surface", reason: String(cString: cairo_status_to_string(final)))
        }
        if format == .svg, let path {
            let texts = svgTexts
            try SVGIdentifiers.rewrite(path) { SVGIdentifiers.normalize(bytes: SVGText.insert(texts, into: $0)) }
        }
    }

    /// The PNG canvas's pixels as RGBA bytes, row after row (tests and in-memory use).
    func rgbaPixels() -> (width: Int, height: Int, bytes: [UInt8]) {
        cairo_surface_flush(surface)
        let w = Int(cairo_image_surface_get_width(surface)), h = Int(cairo_image_surface_get_height(surface))
        let stride = Int(cairo_image_surface_get_stride(surface))
        guard let data = cairo_image_surface_get_data(surface) else { return (w, h, []) }
        var bytes = [UInt8](repeating: 0, count: w * h * 4)
        for y in 0..<h {
            let row = UnsafeRawPointer(data + y * stride).assumingMemoryBound(to: UInt32.self)
            for x in 0..<w {
                let p = row[x]   // premultiplied ARGB in native byte order
                let a = UInt8(p >> 24), r = UInt8((p >> 16) & 0xFF), g = UInt8((p >> 8) & 0xFF), b = UInt8(p & 0xFF)
                let o = (y * w + x) * 4
                if a == 0 { continue }
                bytes[o] = UInt8(min(255, Int(r) * 255 / Int(a)))
                bytes[o + 1] = UInt8(min(255, Int(g) * 255 / Int(a)))
                bytes[o + 2] = UInt8(min(255, Int(b) * 255 / Int(a)))
                bytes[o + 3] = a
            }
        }
        return (w, h, bytes)
    }

    // MARK: drawing primitives

    func setColor(_ color: Color, alpha: Double = 1) {
        cairo_set_source_rgba(context, color.red, color.green, color.blue, color.alpha * alpha)
    }

    func line(from a: (Double, Double), to b: (Double, Double), color: Color, width: Double, dash: [Double] = []) {
        cairo_save(context)
        setColor(color)
        cairo_set_line_width(context, width)
        dash.withUnsafeBufferPointer { cairo_set_dash(context, $0.baseAddress, Int32($0.count), 0) }
        cairo_move_to(context, a.0, a.1)
        cairo_line_to(context, b.0, b.1)
        cairo_stroke(context)
        cairo_restore(context)
    }

    func polyline(_ points: [(Double, Double)], color: Color, width: Double, alpha: Double = 1, dash: [Double] = []) {
        guard points.count > 1 else { return }
        cairo_save(context)
        setColor(color, alpha: alpha)
        cairo_set_line_width(context, width)
        cairo_set_line_join(context, CAIRO_LINE_JOIN_ROUND)
        dash.withUnsafeBufferPointer { cairo_set_dash(context, $0.baseAddress, Int32($0.count), 0) }
        var penDown = false
        for (x, y) in points {
            guard x.isFinite && y.isFinite else { penDown = false; continue }
            if penDown { cairo_line_to(context, x, y) } else { cairo_move_to(context, x, y); penDown = true }
        }
        cairo_stroke(context)
        cairo_restore(context)
    }

    func rectangle(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: Color?, stroke: Color? = nil,
                   alpha: Double = 1, lineWidth: Double = 1) {
        cairo_rectangle(context, x, y, w, h)
        if let fill {
            setColor(fill, alpha: alpha)
            if stroke != nil { cairo_fill_preserve(context) } else { cairo_fill(context) }
        }
        if let stroke {
            setColor(stroke)
            cairo_set_line_width(context, lineWidth)
            cairo_stroke(context)
        }
    }

    /// A filled closed polygon through `points` (finite canvas points).
    func polygon(_ points: [(Double, Double)], fill: Color, alpha: Double = 1) {
        guard let first = points.first else { return }
        cairo_move_to(context, first.0, first.1)
        for (x, y) in points.dropFirst() { cairo_line_to(context, x, y) }
        cairo_close_path(context)
        setColor(fill, alpha: alpha)
        cairo_fill(context)
    }

    func circle(_ x: Double, _ y: Double, radius: Double, fill: Color, alpha: Double = 1) {
        cairo_new_sub_path(context)
        cairo_arc(context, x, y, radius, 0, 2 * .pi)
        setColor(fill, alpha: alpha)
        cairo_fill(context)
    }

    func clip(_ x: Double, _ y: Double, _ w: Double, _ h: Double, _ body: () -> Void) {
        cairo_save(context)
        cairo_rectangle(context, x, y, w, h)
        cairo_clip(context)
        body()
        cairo_restore(context)
    }

    /// Draws an image (`[C, H, W]` floats in [0, 1], C = 1 or 3) into the rectangle, each pixel a
    /// sharp block (nearest-neighbour) however much it is enlarged.
    func image(_ image: GridImage, x: Double, y: Double, width: Double, height: Double) {
        guard let source = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(image.width), Int32(image.height)) else { return }
        defer { cairo_surface_destroy(source) }
        guard cairo_surface_status(source) == CAIRO_STATUS_SUCCESS, let data = cairo_image_surface_get_data(source) else { return }
        let stride = Int(cairo_image_surface_get_stride(source))
        let plane = image.width * image.height
        func byte(_ v: Float) -> UInt32 { UInt32((min(max(v, 0), 1) * 255).rounded()) }
        for row in 0..<image.height {
            let line = UnsafeMutableRawPointer(data + row * stride).assumingMemoryBound(to: UInt32.self)
            for column in 0..<image.width {
                let i = row * image.width + column
                let (r, g, b) = image.channels == 3
                    ? (byte(image.pixels[i]), byte(image.pixels[plane + i]), byte(image.pixels[2 * plane + i]))
                    : (byte(image.pixels[i]), byte(image.pixels[i]), byte(image.pixels[i]))
                line[column] = (r << 16) | (g << 8) | b
            }
        }
        cairo_surface_mark_dirty(source)
        cairo_save(context)
        cairo_translate(context, x, y)
        cairo_scale(context, width / Double(image.width), height / Double(image.height))
        cairo_set_source_surface(context, source, 0, 0)
        cairo_pattern_set_filter(cairo_get_source(context), CAIRO_FILTER_NEAREST)
        cairo_rectangle(context, 0, 0, Double(image.width), Double(image.height))
        cairo_fill(context)
        cairo_restore(context)
    }
}
