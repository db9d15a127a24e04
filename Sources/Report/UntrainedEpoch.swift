import Foundation
import Plot

/// Per-epoch curves start at epoch 0, the untrained model, whose loss is often several times the
/// trained one's: fitted into the same axis it flattens every later epoch into a line along the
/// bottom. This is the broken axis the loss curves use instead.
enum UntrainedEpoch {
    /// How far beyond the trained epochs' values, in their spreads, an epoch-0 value breaks the
    /// axis: 2 (including it would leave the trained epochs under a third of the height).
    static let threshold = 2.0

    /// y limits for curves whose values are `points` (epoch, value): when some epoch-0 value lies
    /// more than `threshold` times the trained epochs' spread beyond them, the limits fit the
    /// trained epochs, with a fifth of their spread more on epoch 0's side for a note; nil when
    /// epoch 0 fits, or when fewer than three trained epochs leave too little to see.
    static func limits(_ points: [(epoch: Int, value: Double)], threshold: Double = threshold)
        -> (limits: ClosedRange<Double>, note: (y: Double, text: String))? {
        let trained = points.filter { $0.epoch >= 1 && $0.value.isFinite }.map(\.value)
        let untrained = points.filter { $0.epoch == 0 && $0.value.isFinite }.map(\.value)
        guard Set(points.filter { $0.epoch >= 1 }.map(\.epoch)).count >= 3, let low = trained.min(), let high = trained.max(),
              let first = untrained.min(), let last = untrained.max() else { return nil }
        let spread = max(high - low, 1e-9 * max(abs(high), 1))
        let above = last - high > threshold * spread, below = low - first > threshold * spread
        guard above || below else { return nil }
        let pad = 0.06 * spread, room = 0.2 * spread
        let limits = (low - pad - (below ? room : 0))...(high + pad + (above ? room : 0))
        let shown = untrained.filter { above ? $0 > limits.upperBound : $0 < limits.lowerBound }
        let values = Set(shown.map(format)).sorted()
        let text = "epoch 0: \(values.joined(separator: ", ")) \(above ? "↑" : "↓")"
        return (limits, (above ? limits.upperBound - 0.55 * room : limits.lowerBound + 0.55 * room, text))
    }

    /// Three significant figures or whole numbers (549, 6.54, 0.0712).
    static func format(_ value: Double) -> String {
        let magnitude = abs(value)
        let decimals = magnitude >= 100 ? 0 : (magnitude >= 10 ? 1 : (magnitude >= 1 ? 2 : 3))
        return String(format: "%.\(decimals)f", value).replacingOccurrences(of: "-", with: "−")
    }

    /// `axes` with the broken axis applied when `points` need it: the y limits above, and the note
    /// just right of epoch 1, where the segments from epoch 0 have already left through the frame.
    static func apply(to axes: Axes, _ points: [(epoch: Int, value: Double)], threshold: Double = threshold) -> Axes {
        guard let (limits, note) = limits(points, threshold: threshold) else { return axes }
        var broken = axes
        broken.yLimits = limits
        broken.marks.append(.annotation(x: 1, y: note.y, text: note.text))
        return broken
    }
}
