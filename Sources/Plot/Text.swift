import CCairo

/// Text in DejaVu Sans (Debian's fonts-dejavu-core), measured so margins fit the labels.
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
        let (width, _) = measure(canvas, text, size: size, bold: bold)
        let cr = canvas.context
        cairo_save(cr)
        cairo_translate(cr, x, y)
        if vertical { cairo_rotate(cr, -.pi / 2) }
        let dx: Double = anchor == .start ? 0 : (anchor == .middle ? -width / 2 : -width)
        // Cap height ≈ 0.73 em in DejaVu Sans; descent ≈ 0.24 em.
        let dy: Double = baseline == .bottom ? -0.24 * size : (baseline == .middle ? 0.36 * size : 0.76 * size)
        canvas.setColor(color)
        cairo_move_to(cr, dx, dy)
        cairo_show_text(cr, text)
        cairo_restore(cr)
    }
}
