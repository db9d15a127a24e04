import Foundation

/// A rectangle on the canvas, in points, y growing downwards (Cairo's convention).
public struct Rect: Equatable, Sendable {
    public var x: Double, y: Double, width: Double, height: Double
    /// The rectangle with top-left corner (x, y), in points.
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }
}

/// Maps data values on one axis to canvas coordinates (points), linearly or by decade.
struct AxisMapping {
    let scale: AxisScale
    let low: Double
    let high: Double
    let start: Double
    let end: Double

    /// The canvas coordinate of `value`; NaN for a non-positive value on a log axis, so that
    /// polylines lift the pen there instead of drawing to a made-up place.
    func callAsFunction(_ value: Double) -> Double {
        switch scale {
        case .linear:
            return start + (value - low) / (high - low) * (end - start)
        case .log:
            guard value > 0 else { return .nan }
            return start + (Foundation.log10(value) - Foundation.log10(low)) / (Foundation.log10(high) - Foundation.log10(low)) * (end - start)
        }
    }
}

/// Data coordinates to canvas points inside one plot rectangle: all an artist needs to draw.
/// Artists that span the whole plot (reference lines, bands) read `plot` for the other axis.
struct DataTransform {
    let plot: Rect
    let x: AxisMapping
    let y: AxisMapping

    /// The canvas point of the data point (x, y).
    func callAsFunction(_ x: Double, _ y: Double) -> (Double, Double) { (self.x(x), self.y(y)) }

    /// The canvas points of paired data coordinates, in order.
    func points(_ xs: [Double], _ ys: [Double]) -> [(Double, Double)] { zip(xs, ys).map { (x($0), y($1)) } }
}
