import Testing
@testable import Plot

/// The artist seam: each mark's data limits, legend rows and axis roles, checked without drawing.
@Suite struct ArtistTests {
    func limits(_ mark: Mark, xScale: AxisScale = .linear, yScale: AxisScale = .linear) -> DataLimits {
        var cycle = 0
        return mark.artist(cycle: &cycle).dataLimits(xScale: xScale, yScale: yScale)
    }

    @Test func lineLimitsSkipNonFiniteAndLogSkipsNonPositive() {
        let line = Mark.line(LineSeries(x: [0, 1, 2, 3], y: [5, .nan, -2, .infinity]))
        #expect(limits(line) == DataLimits(x: 0...3, y: -2...5))
        #expect(limits(line, xScale: .log, yScale: .log) == DataLimits(x: 1...3, y: 5...5))
    }

    @Test func scatterLimitsCoverEveryPoint() {
        #expect(limits(.scatter(ScatterSeries(x: [4, -1, 2], y: [0, 8, 3]))) == DataLimits(x: -1...4, y: 0...8))
    }

    @Test func referenceMarksStretchOnlyTheirAxis() {
        #expect(limits(.horizontalLine(y: 7, label: "", color: .ink, dashed: false)) == DataLimits(x: nil, y: 7...7))
        #expect(limits(.verticalLine(x: 3, label: "", color: .ink, dashed: false)) == DataLimits(x: 3...3, y: nil))
        #expect(limits(.band(from: 9, to: 4, label: "", color: .ink)) == DataLimits(x: 4...9, y: nil))
        #expect(limits(.annotation(x: 1, y: 2, text: "here")) == DataLimits(x: 1...1, y: 2...2))
    }

    @Test func barsSpanTheirCategoriesFromZero() {
        let bars = BarSeries(categories: ["a", "b", "c"], groups: [("g", [2, 5, .nan]), ("h", [1, 3, 4])])
        #expect(limits(.bars(bars)) == DataLimits(x: 0...3, y: 0...5))
        #expect(bars.xCategories == ["a", "b", "c"] && bars.yCategories == nil && bars.colorBar == nil)
        #expect(bars.legendEntries.map(\.label) == ["g", "h"])
    }

    @Test func boxesSpanTheirWhiskersAndPointsOverTheirCategories() {
        let box = BoxSummary(lower: 2, median: 3, upper: 4, low: 1, high: 6, points: [1, 3, 6])
        let outlier = BoxSummary(lower: 0.5, median: 0.5, upper: 0.5, low: 0.5, high: 0.5, points: [0.5, 9])
        let boxes = BoxSeries(categories: ["β-VAE 1", "β-VAE 8", "none"], boxes: [box, outlier, nil],
                              legend: [(label: "β-VAE", color: Color.category(0))])
        #expect(limits(.boxes(boxes)) == DataLimits(x: 0...3, y: 0.5...9))
        #expect(boxes.xCategories == ["β-VAE 1", "β-VAE 8", "none"] && boxes.yCategories == nil)
        #expect(boxes.legendEntries.map(\.label) == ["β-VAE"] && boxes.legendEntries[0].kind == .box)
    }

    @Test func heatmapIsCategoricalOnBothAxesWithAColourBar() {
        let heatmap = Heatmap(values: [[1, 4, .nan], [2, 3, 0.5]], rowLabels: ["r0", "r1"], columnLabels: ["c0", "c1", "c2"], colorbarLabel: "nats")
        #expect(limits(.heatmap(heatmap)) == DataLimits(x: 0...3, y: 0...2))
        #expect(heatmap.xCategories == ["c0", "c1", "c2"] && heatmap.yCategories == ["r0", "r1"])
        #expect(heatmap.colorBar?.range == 0.5...4 && heatmap.colorBar?.label == "nats")
        var fixed = heatmap
        fixed.range = 0...10
        #expect(fixed.colorBar?.range == 0...10)
    }

    /// Lines and single-colour scatters share one colour cycle, an own colour still takes its
    /// turn, and a scatter coloured by category takes none.
    @Test func colourCycleRunsOverLinesAndScatters() {
        let red = Color(hex: 0xFF0000)
        let axes = Axes(marks: [
            .line(LineSeries(x: [0], y: [0], label: "a")),
            .scatter(ScatterSeries(x: [0], y: [0], categories: [0], categoryNames: ["cat"])),
            .scatter(ScatterSeries(x: [0], y: [0], label: "b")),
            .line(LineSeries(x: [0], y: [0], label: "c", color: red)),
            .horizontalLine(y: 0, label: "d", color: .ink, dashed: true),
            .line(LineSeries(x: [0], y: [0], label: "e")),
        ])
        let entries = axes.artists.flatMap(\.legendEntries)
        #expect(entries.map(\.label) == ["a", "cat", "b", "c", "d", "e"])
        #expect(entries.map(\.color) == [Color.category(0), Color.category(0), Color.category(1), red, .ink, Color.category(3)])
        #expect(entries[4].kind == .dashedLine)
    }

    @Test func categoricalScatterLegendIsSortedAndNamed() {
        let scatter = Mark.scatter(ScatterSeries(x: [0, 1, 2, 3], y: [0, 1, 2, 3], categories: [2, 0, 2, 5], categoryNames: ["zero", "one", "two"]))
        var cycle = 0
        let entries = scatter.artist(cycle: &cycle).legendEntries
        #expect(entries.map(\.label) == ["zero", "two", "5"])
        #expect(entries.map(\.color) == [Color.category(0), Color.category(2), Color.category(5)])
        #expect(cycle == 0)
    }

    /// Bands marking many ranges under one label show one legend row, but the margins are still
    /// sized from every label.
    @Test func bandsShareOneLegendRowPerLabel() {
        let axes = Axes(marks: [
            .band(from: 1, to: 2, label: "gap", color: .ink),
            .line(LineSeries(x: [0, 3], y: [0, 1], label: "KL")),
            .band(from: 2, to: 3, label: "gap", color: .ink),
            .band(from: 4, to: 5, label: "", color: .ink),
        ])
        let entries = axes.artists.flatMap(\.legendEntries)
        #expect(Legend.rows(entries).map(\.label) == ["gap", "KL"])
        #expect(axes.legendLabels == ["gap", "KL", "gap"])
    }

    @Test func axesPadNumericLimitsButNotCategories() {
        let line = Axes(marks: [.line(LineSeries(x: [0, 10], y: [0, 5])), .horizontalLine(y: 10, label: "", color: .ink, dashed: false)])
        let l = line.dataLimits()
        #expect(abs(l.x.lowerBound + 0.4) < 1e-12 && abs(l.x.upperBound - 10.4) < 1e-12)
        #expect(abs(l.y.lowerBound + 0.4) < 1e-12 && abs(l.y.upperBound - 10.4) < 1e-12)
        let bars = Axes(marks: [.bars(BarSeries(categories: ["a", "b"], groups: [("", [1, 2])]))]).dataLimits()
        #expect(bars.x == 0...2)
        #expect(Axes(xLimits: 3...4, marks: [.line(LineSeries(x: [0, 10], y: [0, 1]))]).dataLimits().x == 3...4)
        #expect(Axes().dataLimits().x == 0...1 && Axes(yScale: .log).dataLimits().y == 1...10)
    }
}
