/// Text at a data position, starting 4 points right of it and centred on it vertically. It
/// stretches the limits to include its anchor point (not its text), and has no legend row.
struct Annotation: Artist {
    let x: Double
    let y: Double
    let text: String

    func dataLimits(xScale: AxisScale, yScale: AxisScale) -> DataLimits {
        DataLimits(x: DataLimits.span([x], scale: xScale), y: DataLimits.span([y], scale: yScale))
    }

    func draw(in canvas: Canvas, transform: DataTransform) {
        let (cx, cy) = transform(x, y)
        Text.draw(canvas, text, x: cx + 4, y: cy, size: canvas.sizes.tick, baseline: .middle)
    }
}
