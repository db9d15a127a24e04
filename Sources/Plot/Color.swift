/// An sRGB colour with alpha, components in [0, 1].
public struct Color: Equatable, Sendable {
    public var red: Double, green: Double, blue: Double, alpha: Double

    /// From components in [0, 1].
    public init(red: Double, green: Double, blue: Double, alpha: Double = 1) {
        self.red = red
        self.green = green
        self.blue = blue
        self.alpha = alpha
    }

    /// From a 0xRRGGBB literal.
    public init(hex: UInt32) {
        self.init(red: Double((hex >> 16) & 0xFF) / 255, green: Double((hex >> 8) & 0xFF) / 255, blue: Double(hex & 0xFF) / 255)
    }

    /// Text, outlines and reference lines; the grid; axis lines and ticks; white.
    public static let ink = Color(hex: 0x222222)
    public static let grid = Color(hex: 0xE6E6E6)
    public static let axis = Color(hex: 0x555555)
    public static let white = Color(hex: 0xFFFFFF)

    /// The Okabe–Ito palette (Okabe & Ito 2008), distinguishable with every common colour-vision
    /// deficiency; black moved last so that it is not the first series' colour.
    public static let okabeIto: [Color] = [0xE69F00, 0x56B4E9, 0x009E73, 0xF0E442, 0x0072B2, 0xD55E00, 0xCC79A7, 0x000000]
        .map(Color.init(hex:))

    /// Categorical colour `index` (Okabe–Ito, cycling; after eight, darker variants).
    public static func category(_ index: Int) -> Color {
        let base = okabeIto[index % okabeIto.count]
        guard index >= okabeIto.count else { return base }
        return Color(red: base.red * 0.6, green: base.green * 0.6, blue: base.blue * 0.6)
    }

    /// Viridis (van der Walt & Smith, matplotlib), a perceptually uniform sequential map, at t ∈ [0, 1]:
    /// linear interpolation between 11 stops of the published table.
    public static func viridis(_ t: Double) -> Color {
        let stops: [UInt32] = [0x440154, 0x482475, 0x414487, 0x355F8D, 0x2A788E, 0x21918C, 0x22A884, 0x44BF70, 0x7AD151, 0xBDDF26, 0xFDE725]
        let clamped = min(max(t.isFinite ? t : 0, 0), 1) * Double(stops.count - 1)
        let low = Int(clamped.rounded(.down)), high = min(low + 1, stops.count - 1)
        let f = clamped - Double(low)
        let a = Color(hex: stops[low]), b = Color(hex: stops[high])
        return Color(red: a.red + (b.red - a.red) * f, green: a.green + (b.green - a.green) * f, blue: a.blue + (b.blue - a.blue) * f)
    }
}
