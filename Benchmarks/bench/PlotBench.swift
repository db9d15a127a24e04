import Foundation
import Plot

/// Rendering a 4-panel figure with 10,000 scatter points and a 10 × 16 image grid to PNG.
enum PlotBench {
    static func run() {
        print("== plot")
        var state: UInt64 = 1
        func uniform() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1
            return Double(state >> 11) * 0x1p-53
        }
        let xs = (0..<10_000).map { _ in uniform() }, ys = (0..<10_000).map { _ in uniform() }
        let classes = (0..<10_000).map { $0 % 10 }
        let scatter = Axes(title: "scatter", marks: [.scatter(ScatterSeries(x: xs, y: ys, categories: classes, alpha: 0.4, radius: 1.5))])
        let image = GridImage(width: 28, height: 28, pixels: (0..<784).map { _ in Float(uniform()) })
        let grid = ImageGrid(cells: Array(repeating: Array(repeating: image, count: 16), count: 10))
        let lines = Axes(title: "lines", marks: [.line(LineSeries(x: (0..<100).map(Double.init), y: (0..<100).map { _ in uniform() }))])
        let figure = Figure(width: 1000, height: 800, columns: 2, panels: [.axes(scatter), .images(grid), .axes(lines), .axes(scatter)])
        let path = NSTemporaryDirectory() + "bench-figure.png"
        let seconds = Timing.median(repeats: 5) { try? figure.write(to: path, format: .png(scale: 2)) }
        row("4-panel figure, 2 × 10,000 points + 10×16 grid, PNG 2×", String(format: "%7.0f ms", seconds * 1e3))
        try? FileManager.default.removeItem(atPath: path)
    }
}
