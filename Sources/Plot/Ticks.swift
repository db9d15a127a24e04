import Foundation

/// How an axis maps data to position.
public enum AxisScale: Equatable, Sendable {
    case linear
    case log
}

/// "Nice" tick positions and their labels.
public enum Ticks {
    /// Ticks at 1-2-5 steps covering [low, high], about `target` of them.
    /// With `integers`, steps are never below 1 (epochs).
    public static func linear(_ low: Double, _ high: Double, target: Int = 6, integers: Bool = false) -> [Double] {
        guard low.isFinite, high.isFinite, high > low else { return low.isFinite ? [low] : [] }
        let raw = (high - low) / Double(max(target, 1))
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        var step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        if integers { step = max(step, 1) }
        let first = (low / step).rounded(.up)
        let last = (high / step).rounded(.down)
        guard last >= first else { return [] }
        return stride(from: first, through: last, by: 1).map { ($0 * step * 1e12).rounded() / 1e12 }
    }

    /// Ticks at powers of ten in [low, high] (both > 0); with fewer than three decades, also 2× and 5×.
    public static func log(_ low: Double, _ high: Double) -> [Double] {
        guard low > 0, high > low else { return [] }
        let first = Int(log10(low).rounded(.down)), last = Int(log10(high).rounded(.up))
        let multipliers: [Double] = last - first < 3 ? [1, 2, 5] : [1]
        var ticks: [Double] = []
        for exponent in first...last {
            for m in multipliers {
                let value = m * pow(10, Double(exponent))
                if value >= low * (1 - 1e-9) && value <= high * (1 + 1e-9) { ticks.append(value) }
            }
        }
        return ticks
    }

    /// Labels with as many decimals as the spacing needs (1,000 separators are not used: figures
    /// in papers usually show plain numbers); large or tiny values in 1e±k form.
    public static func labels(_ ticks: [Double]) -> [String] {
        guard ticks.count > 0 else { return [] }
        let spacing = ticks.count > 1 ? zip(ticks.dropFirst(), ticks).map { abs($0 - $1) }.min() ?? 1 : max(abs(ticks[0]), 1)
        let largest = ticks.map(abs).max() ?? 0
        if largest >= 1e6 || (largest > 0 && largest < 1e-3) {
            return ticks.map { $0 == 0 ? "0" : String(format: "%.0e", $0).replacingOccurrences(of: "e+0", with: "e").replacingOccurrences(of: "e-0", with: "e-") }
        }
        let decimals = spacing >= 1 ? 0 : min(6, Int((-log10(spacing)).rounded(.up)))
        return ticks.map { value in
            let text = String(format: "%.\(decimals)f", value)
            return text.hasPrefix("-") && Double(text) == 0 ? String(text.dropFirst()) : text
        }
    }
}

extension Ticks {
    /// Labels for log ticks, each with only the decimals it needs (0.1, 1, 10, 100; 1e5 and up as 1e5).
    public static func logLabels(_ ticks: [Double]) -> [String] {
        ticks.map { value in
            if value >= 1e5 || value < 1e-3 { return String(format: "%.0e", value).replacingOccurrences(of: "e+0", with: "e").replacingOccurrences(of: "e-0", with: "e-") }
            if value >= 1 { return String(format: "%.0f", value) }
            let decimals = Int((-log10(value)).rounded(.up))
            return String(format: "%.\(decimals)f", value)
        }
    }
}
