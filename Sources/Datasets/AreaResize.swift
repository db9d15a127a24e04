/// Downscaling by area averaging: each output pixel is the mean of the input it covers, partial
/// pixels weighted by the covered fraction. disentanglement_lib resizes SmallNORB (96 → 64) and
/// Cars3D (128 → 64) with PIL's antialiasing (Lanczos) filter; the area mean is the box-filter
/// member of that family, exact for Cars3D's 2:1 ratio and within a few grey levels of Lanczos at
/// 3:2. Written here because it is twenty lines on bytes, where Cairo (which resizes the PNG
/// folders) would need a surface and an RGB24 round trip per grey image.
enum AreaResize {
    /// The 1-D weights: for each output index, the input indices it covers and their weights (summing to 1).
    static func weights(from source: Int, to target: Int) -> [[(index: Int, weight: Float)]] {
        let scale = Double(source) / Double(target)
        return (0..<target).map { o in
            let start = Double(o) * scale, end = Double(o + 1) * scale
            var taps: [(Int, Float)] = []
            var i = Int(start)
            while Double(i) < end && i < source {
                let covered = min(end, Double(i + 1)) - max(start, Double(i))
                if covered > 0 { taps.append((i, Float(covered / scale))) }
                i += 1
            }
            return taps
        }
    }

    /// Resizes `planes` channel planes of `height × width` bytes, one after another, to `side × side`.
    static func planes(_ input: UnsafeBufferPointer<UInt8>, planes: Int, height: Int, width: Int, side: Int) -> [UInt8] {
        precondition(input.count >= planes * height * width && side <= height && side <= width)
        let rows = weights(from: height, to: side), columns = weights(from: width, to: side)
        var out = [UInt8](repeating: 0, count: planes * side * side)
        var horizontal = [Float](repeating: 0, count: height * side)
        for p in 0..<planes {
            let base = p * height * width
            for y in 0..<height {
                for (x, taps) in columns.enumerated() {
                    var sum: Float = 0
                    for tap in taps { sum += Float(input[base + y * width + tap.index]) * tap.weight }
                    horizontal[y * side + x] = sum
                }
            }
            for (y, taps) in rows.enumerated() {
                for x in 0..<side {
                    var sum: Float = 0
                    for tap in taps { sum += horizontal[tap.index * side + x] * tap.weight }
                    out[p * side * side + y * side + x] = UInt8(min(255, max(0, sum.rounded())))
                }
            }
        }
        return out
    }
}
