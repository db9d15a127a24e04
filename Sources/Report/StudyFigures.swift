import Analysis
import Foundation
import Models
import Plot
import Training

/// The study page's figures (Locatello et al. 2019, Figures 2 and 7–8): each score's distribution
/// per method and value over seeds, the scores' rank correlations, and the seed's share of each
/// score's spread. Each is drawn from the runs that are in, one panel per dataset.
enum StudyFigures {
    /// One colour per method, in the study's order (the same on every figure and table).
    static func color(_ methodIndex: Int) -> Color { Color.category(methodIndex) }

    /// A box over `values`: quartiles (numpy's interpolation) and whiskers to the extremes (with a
    /// handful of seeds no value is an outlier to hide).
    static func box(_ values: [Double]) -> BoxSummary? {
        guard !values.isEmpty else { return nil }
        let q = StudyStatistics.quartiles(values)
        return BoxSummary(lower: q.lower, median: q.median, upper: q.upper, low: values.min() ?? q.lower, high: values.max() ?? q.upper, points: values)
    }

    /// "β-VAE 4", "AnnealedVAE 25": a method and its value as a category label (the axis names
    /// each method's hyperparameter).
    static func label(_ method: StudyPlan.Method, _ value: Double) -> String {
        (StudyPreset.method(method.name)?.title ?? method.name) + " " + compactNumber(value)
    }

    /// "β-VAE: β, β-TCVAE: β": what the values under the boxes are.
    static func parameters(_ methods: [StudyPlan.Method]) -> String {
        methods.map { method in
            let preset = StudyPreset.method(method.name)
            return (preset?.title ?? method.name) + ": " + (preset?.parameter ?? "value")
        }.joined(separator: ", ")
    }

    /// `key`'s distribution: per dataset a panel, a box per method and value over its seeds.
    static func distribution(_ results: StudyResults, key: String, index: Int) -> FigureSpec {
        let methods = results.study.methods
        let panels: [Panel] = results.datasets.map { dataset in
            var categories: [String] = [], boxes: [BoxSummary?] = [], colors: [Color] = []
            for (m, method) in methods.enumerated() {
                for group in results.groups(dataset: dataset, method: method) {
                    categories.append(label(method, group.value))
                    boxes.append(box(group.records.compactMap { StudyResults.value($0, key) }))
                    colors.append(color(m))
                }
            }
            let legend = methods.enumerated().map { (label: StudyPreset.method($0.element.name)?.title ?? $0.element.name, color: color($0.offset)) }
            return .axes(Axes(title: dataset, xLabel: "method and hyperparameter (" + parameters(methods) + ")", yLabel: StudyResults.title(key),
                              marks: [.boxes(BoxSeries(categories: categories, boxes: boxes, colors: colors, legend: legend))], legendOutside: true))
        }
        let columns = methods.reduce(0) { $0 + $1.values.count }
        return FigureSpec(name: "score-\(key.replacingOccurrences(of: "_", with: "-"))", title: StudyResults.title(key),
                          caption: "\(StudyResults.title(key)) of every run that is in, per method and hyperparameter value: the box spans the quartiles over the seeds, the dark line is the median, whiskers reach the smallest and largest run, and each dot is one seed (Locatello et al. 2019, Figures 7–8).",
                          alt: "Box plots of \(StudyResults.title(key)) per method and hyperparameter value, one panel per dataset",
                          figure: Figure(width: max(560, 140 + 46 * Double(columns)), height: 300 * Double(max(panels.count, 1)), columns: 1, panels: panels),
                          vector: true)
    }

    /// Spearman's ρ between every pair of scores and reconstruction over the runs of each dataset
    /// that have both (Locatello et al. 2019, Figure 2).
    static func rankCorrelations(_ results: StudyResults, keys: [String]) -> FigureSpec {
        let all = keys + ["reconstruction"]
        let titles = all.map(StudyResults.title)
        let panels: [Panel] = results.datasets.map { dataset in
            let records = results.records.filter { $0.member.dataset == dataset }
            let values: [[Double]] = all.map { a in
                all.map { b in
                    let pairs = records.compactMap { r -> (Double, Double)? in
                        guard let x = StudyResults.value(r, a), let y = StudyResults.value(r, b) else { return nil }
                        return (x, y)
                    }
                    return StudyStatistics.spearman(pairs.map(\.0), pairs.map(\.1)) ?? .nan
                }
            }
            return .axes(Axes(title: dataset + " (\(records.count) runs)",
                              marks: [.heatmap(Heatmap(values: values, rowLabels: titles, columnLabels: titles, colorbarLabel: "Spearman ρ",
                                                       range: -1...1, annotate: all.count <= 14))]))
        }
        return FigureSpec(name: "rank-correlation", title: "Rank correlation between the scores, and with reconstruction",
                          caption: "Spearman's rank correlation ρ between each pair of scores over the runs that are in (all methods, values and seeds of the dataset), and with the test reconstruction error (its last row and column; lower error is better, so a negative ρ there means the score rises as reconstruction improves). Blank: undefined (a score constant over the runs).",
                          alt: "Heatmap of Spearman rank correlations between the scores and reconstruction",
                          figure: Figure(width: 300 + 84 * Double(all.count), height: (150 + 34 * Double(all.count)) * Double(max(panels.count, 1)),
                                         columns: 1, panels: panels),
                          vector: true)
    }

    /// The seed's share of each score's variance within each method (law of total variance over
    /// the method's values); the rest is the hyperparameter's.
    static func seedShares(_ results: StudyResults, keys: [String]) -> FigureSpec {
        let methods = results.study.methods
        let all = keys + ["reconstruction"]
        let panels: [Panel] = results.datasets.map { dataset in
            let groups = methods.map { method -> (label: String, values: [Double]) in
                let byValue = results.groups(dataset: dataset, method: method)
                return (StudyPreset.method(method.name)?.title ?? method.name,
                        all.map { key in StudyStatistics.seedShare(byValue.map { $0.records.compactMap { StudyResults.value($0, key) } })?.seed ?? .nan })
            }
            return .axes(Axes(title: dataset, yLabel: "share of variance from the seed", yLimits: 0...1,
                              marks: [.bars(BarSeries(categories: all.map(StudyResults.title), groups: groups))], legendOutside: true))
        }
        return FigureSpec(name: "seed-share", title: "How much of each score's spread the seed explains",
                          caption: "For each method, the share of a score's variance over its runs that lies within a hyperparameter value — what the random seed alone changes — against the share between values (1 − the bar), by the law of total variance. Near 1: the seed matters more than the hyperparameter. No bar: fewer than two runs in, or no spread.",
                          alt: "Bars of the seed's share of each score's variance, per method",
                          figure: Figure(width: max(640, 200 + 70 * Double(all.count)), height: 300 * Double(max(panels.count, 1)), columns: 1, panels: panels),
                          vector: true)
    }
}
