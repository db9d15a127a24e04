import Foundation
import Plot

// `make gallery`: every figure kind of the Plot module drawn from synthetic data into gallery/
// (PNG at 2×, SVG, and one PDF), to look at before trusting them in reports.
let folder = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "gallery"
try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)

/// A seeded generator so the gallery is the same every time.
struct LCG {
    var state: UInt64
    mutating func uniform() -> Double {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Double(state >> 11) * 0x1p-53
    }
    mutating func normal() -> Double { (-2 * log(max(uniform(), 1e-300))).squareRoot() * cos(2 * .pi * uniform()) }
}
var rng = LCG(state: 7)

let epochs = (0...30).map(Double.init)
let train = epochs.map { 260 + 290 * exp(-$0 / 2) + 3 * rng.normal() }
let test = epochs.map { 258 + 290 * exp(-$0 / 2.2) + 1.5 * rng.normal() }
let kl = epochs.map { min(25, $0 * 0.9) + 0.8 * rng.normal() }
let capacity = epochs.map { min(25, $0 * 0.8) }

var figures: [(String, Figure)] = []
figures.append(("lines", Figure(width: 520, height: 320, .axes(Axes(
    title: "Loss curves", xLabel: "epoch", yLabel: "nats per image", marks: [
        .line(LineSeries(x: epochs, y: train, label: "train NELBO", smoothing: 0.6)),
        .line(LineSeries(x: epochs, y: test, label: "test NELBO", markers: true)),
        .horizontalLine(y: 254, label: "PyTorch anchor", color: .ink, dashed: true),
    ])))))
figures.append(("capacity", Figure(width: 520, height: 320, .axes(Axes(
    title: "KL against capacity C", xLabel: "epoch", yLabel: "nats", marks: [
        .band(from: 4, to: 7, label: "|KL − C| > 1 nat", color: Color(hex: 0xD55E00)),
        .line(LineSeries(x: epochs, y: kl, label: "KL")),
        .line(LineSeries(x: epochs, y: capacity, label: "C", color: .ink, dashed: true)),
    ])))))
figures.append(("log-axis", Figure(width: 420, height: 300, .axes(Axes(
    title: "Log scale", xLabel: "β", yLabel: "KL (nats)", xScale: .log, yScale: .log, marks: [
        .line(LineSeries(x: [0.1, 1, 4, 10, 100], y: [80, 25, 9, 4, 0.5], label: "KL", markers: true)),
    ])))))
var xs: [Double] = [], ys: [Double] = [], classes: [Int] = []
for i in 0..<10_000 {
    let c = i % 10, angle = Double(c) / 10 * 2 * .pi
    xs.append(3 * cos(angle) + rng.normal()); ys.append(3 * sin(angle) + rng.normal()); classes.append(c)
}
let names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
let scatter = Axes(title: "Latent PCA", xLabel: "PC1 (41.2%)", yLabel: "PC2 (23.5%)",
                   marks: [.scatter(ScatterSeries(x: xs, y: ys, categories: classes, categoryNames: names, alpha: 0.35, radius: 1.6))],
                   legendOutside: true)
figures.append(("scatter", Figure(width: 520, height: 420, .axes(scatter))))
figures.append(("labelled-points", Figure(width: 480, height: 340, .axes(Axes(
    title: "Rate–distortion", xLabel: "KL (rate, nats)", yLabel: "reconstruction (distortion, nats)", marks: [
        .line(LineSeries(x: [0, 40], y: [280, 240], label: "ELBO = 280", color: Color(hex: 0xAAAAAA), dashed: true)),
        .scatter(ScatterSeries(x: [38, 25, 12, 6], y: [232, 238, 251, 266], label: "runs", radius: 4,
                               pointLabels: ["β = 0.1", "β = 1", "β = 4", "β = 10"])),
    ])))))
let dims = (0..<20).map { "z\($0)" }
figures.append(("bars", Figure(width: 600, height: 300, .axes(Axes(
    title: "KL per dimension", xLabel: "latent dimension", yLabel: "nats", marks: [
        .bars(BarSeries(categories: dims, groups: [("epoch 1", dims.indices.map { 3 * exp(-Double($0) / 4) }),
                                                    ("epoch 30", dims.indices.map { 4 * exp(-Double($0) / 3) })],
                        highlighted: Set(0..<6))),
    ])))))
figures.append(("heatmap", Figure(width: 560, height: 300, .axes(Axes(
    title: "β × dimension KL", xLabel: "latent dimension", yLabel: "β", marks: [
        .heatmap(Heatmap(values: [0.1, 1, 4, 10].map { b in (0..<10).map { d in 5 * exp(-Double(d) * b / 6) } },
                         rowLabels: ["0.1", "1", "4", "10"], columnLabels: (0..<10).map { "z\($0)" }, colorbarLabel: "nats", annotate: true)),
    ])))))
// Reference marks: vertical lines, a text annotation, bands sharing one legend row, and a
// scatter that takes the next colour of the cycle after the line.
figures.append(("reference-marks", Figure(width: 520, height: 320, .axes(Axes(
    title: "Reference marks", xLabel: "epoch", yLabel: "nats", marks: [
        .band(from: 3, to: 5, label: "collapsed", color: Color(hex: 0x56B4E9)),
        .band(from: 12, to: 14, label: "collapsed", color: Color(hex: 0x56B4E9)),
        .line(LineSeries(x: epochs, y: kl, label: "KL")),
        .scatter(ScatterSeries(x: [8, 16, 24], y: [6, 14, 21], label: "checkpoints", radius: 3.5)),
        .verticalLine(x: 20, label: "warm-up ends", color: Color(hex: 0xD55E00), dashed: true),
        .verticalLine(x: 27, label: "", color: .axis, dashed: false),
        .annotation(x: 20, y: 3, text: "β fixed from here"),
    ], xIntegerTicks: true)))))
// Data in every corner: the inside legend would cover points wherever it went, so it moves outside.
let corners: [(Double, Double)] = [(0, 0), (0, 10), (10, 0), (10, 10), (5, 5)]
figures.append(("legend-fallback", Figure(width: 420, height: 300, .axes(Axes(
    title: "Legend moves outside", marks: [
        .scatter(ScatterSeries(x: corners.map(\.0), y: corners.map(\.1), label: "corners", radius: 4)),
        .line(LineSeries(x: [0, 10], y: [10, 0], label: "diagonal", dashed: true)),
        .horizontalLine(y: 5, label: "", color: .ink, dashed: false),
    ])))))
// A heatmap with missing cells (light grey), a fixed colour range and no annotations.
figures.append(("heatmap-gaps", Figure(width: 420, height: 260, .axes(Axes(
    title: "Mutual information", marks: [
        .heatmap(Heatmap(values: [[0.9, .nan, 0.1], [0.2, 0.7, .nan]], rowLabels: ["shape", "scale"],
                         columnLabels: ["z0", "z1", "z2"], range: 0...1)),
    ])))))
func blob(_ cx: Double, _ cy: Double, _ r: Double) -> GridImage {
    GridImage(width: 28, height: 28, pixels: (0..<784).map { i in
        let x = Double(i % 28), y = Double(i / 28)
        return Float(exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2 * r * r)))
    })
}
let grid = ImageGrid(cells: (0..<5).map { row in (0..<10).map { col in blob(6 + Double(col) * 1.6, 14, 2 + Double(row) * 0.8) } },
                     rowLabels: ["ground truth", "epoch 0", "epoch 5", "epoch 10", "epoch 20"],
                     columnLabels: (0..<10).map { String($0) }, title: "Reconstructions", headerGap: 6)
figures.append(("image-grid", Figure(width: 560, height: 330, .images(grid))))
let rgb = GridImage(width: 2, height: 2, channels: 3, pixels: [1, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 1])
figures.append(("rgb-grid", Figure(width: 200, height: 120, .images(ImageGrid(cells: [[rgb, rgb, rgb]], columnLabels: ["a", "b", "c"])))))
var first = scatter
first.title = "epoch 0"
var last = scatter
last.title = "epoch 30"
let shared = scatter.dataLimits()
first.xLimits = shared.x; first.yLimits = shared.y; last.xLimits = shared.x; last.yLimits = shared.y
first.showLegend = false
figures.append(("composition", Figure(width: 900, height: 640, columns: 2, panels: [
    .axes(first), .axes(last), .images(grid), .axes(Axes(title: "test NELBO", xLabel: "epoch", marks: [.line(LineSeries(x: epochs, y: test))])),
])))

for (name, figure) in figures {
    try figure.write(to: "\(folder)/\(name).png", format: .png(scale: 2))
    try figure.write(to: "\(folder)/\(name).svg", format: .svg)
}
try figures[0].1.write(to: "\(folder)/lines.pdf", format: .pdf)
print("wrote \(figures.count) figures (PNG and SVG) and lines.pdf to \(folder)/")
