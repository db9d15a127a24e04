import CCairo

/// The font sizes of a figure's text, in points at the figure's own size (a figure set at half
/// its width in a document shows them at half these sizes).
public struct TextSizes: Equatable, Sendable {
    /// Tick labels, legend rows, image-grid labels, annotations.
    public var tick: Double
    /// Axis titles.
    public var label: Double
    /// Panel titles (bold).
    public var title: Double
    /// Colour-bar ticks and heatmap cell values.
    public var small: Double

    public init(tick: Double, label: Double, title: Double, small: Double) {
        self.tick = tick
        self.label = label
        self.title = title
        self.small = small
    }

    /// For figures shown on a page at their own size (about 1000 points wide).
    public static let screen = TextSizes(tick: 9, label: 10, title: 11, small: 8)
    /// For figures set at a paper's column width (3.25 in = 234 pt) without scaling: 8–9 pt.
    public static let paper = TextSizes(tick: 8, label: 9, title: 9, small: 8)

    /// The smallest and largest size, for stating them ("8–9 pt").
    public var range: ClosedRange<Double> { min(tick, label, title, small)...max(tick, label, title, small) }
}

/// Text in DejaVu Sans (Debian's fonts-dejavu-core), measured so margins fit the labels. PNG and
/// PDF draw it through Cairo (the PDF embeds the font, so its text stays text); SVG gets real
/// `<text>` elements (`SVGText`) instead of Cairo's glyph outlines.
enum Text {
    static let family = "DejaVu Sans"

    enum Anchor { case start, middle, end }
    enum Baseline { case top, middle, bottom }

    static func setFont(_ canvas: Canvas, size: Double, bold: Bool = false) {
        cairo_select_font_face(canvas.context, family, CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(canvas.context, size)
    }

    /// Width and height of `text` at `size`.
    static func measure(_ canvas: Canvas, _ text: String, size: Double, bold: Bool = false) -> (width: Double, height: Double) {
        setFont(canvas, size: size, bold: bold)
        var extents = cairo_text_extents_t()
        cairo_text_extents(canvas.context, text, &extents)
        return (extents.x_advance, size)
    }

    /// Draws `text` anchored at (x, y), optionally rotated by −90° (vertical axis labels).
    static func draw(_ canvas: Canvas, _ text: String, x: Double, y: Double, size: Double, color: Color = .ink,
                     anchor: Anchor = .start, baseline: Baseline = .bottom, bold: Bool = false, vertical: Bool = false) {
        guard !text.isEmpty else { return }
        // Cap height ≈ 0.73 em in DejaVu Sans; descent ≈ 0.24 em.
        let dy: Double = baseline == .bottom ? -0.24 * size : (baseline == .middle ? 0.36 * size : 0.76 * size)
        if canvas.format == .svg {
            canvas.svgTexts.append(SVGText(text: text, x: x, y: y, baselineOffset: dy, size: size, color: color, anchor: anchor,
                                           bold: bold, vertical: vertical))
            return
        }
        let (width, _) = measure(canvas, text, size: size, bold: bold)
        let cr = canvas.context
        cairo_save(cr)
        cairo_translate(cr, x, y)
        if vertical { cairo_rotate(cr, -.pi / 2) }
        let dx: Double = anchor == .start ? 0 : (anchor == .middle ? -width / 2 : -width)
        canvas.setColor(color)
        cairo_move_to(cr, dx, dy)
        cairo_show_text(cr, text)
        cairo_restore(cr)
    }
}
