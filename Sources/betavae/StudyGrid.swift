import ArgumentParser
import Foundation
import Training

/// What a study trains, before any data is read: the methods with their values, the seeds, the
/// datasets and the length, from the preset, `--plan FILE` and the options that override it.
struct StudyGrid {
    var datasets: [String]
    var methods: [StudyPlan.Method]
    var seeds: [UInt64]
    var steps: Int

    /// One run to be: its name, what it stands for, and its train options.
    struct Point {
        var member: StudyPlan.Member
        var arguments: [String]
    }

    /// `--values beta=1,8`: method → values, each method once, each value finite, ≥ 0 and once.
    static func values(_ items: [String]) throws -> [String: [Double]] {
        var result: [String: [Double]] = [:]
        for item in items {
            guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
                throw ValidationError("--values must be METHOD=V1,V2,… like --values beta=1,8; '\(item)' is not")
            }
            let name = String(item[..<equals])
            guard StudyPreset.method(name) != nil else {
                throw ValidationError("--values \(name): not a method; one of \(StudyPreset.methodNames)")
            }
            guard result[name] == nil else { throw ValidationError("--values names \(name) twice; give all its values in one --values \(name)=V1,V2,…") }
            var values: [Double] = []
            for text in try OptionChecks.list(String(item[item.index(after: equals)...]), option: "--values \(name)") {
                guard let value = Double(text), value.isFinite, value >= 0 else {
                    throw ValidationError("--values \(name) must be finite numbers ≥ 0 separated by commas; '\(text)' is not")
                }
                guard !values.contains(value) else { throw ValidationError("--values \(name) names \(compactText(value)) twice; give each value once") }
                values.append(value)
            }
            result[name] = values
        }
        return result
    }

    static func compactText(_ value: Double) -> String { TrainOptions.compact(value) }

    /// Every run, dataset outermost, then method, value and seed: `sprites-beta-4-seed2`.
    func points() -> [Point] {
        var points: [Point] = []
        for dataset in datasets {
            let short = dataset.split(separator: ":").first.map(String.init) ?? dataset
            for method in methods {
                for value in method.values {
                    for seed in seeds {
                        let name = "\(short)-\(method.name)-\(Self.compactText(value))-seed\(seed)"
                        let member = StudyPlan.Member(name: name, method: method.name, value: value, seed: seed, dataset: dataset)
                        let arguments = StudyPreset.arguments(method: method.name, value: value)
                            + ["--dataset", dataset, "--seed", "\(seed)", "--steps", "\(steps)"]
                        points.append(Point(member: member, arguments: arguments))
                    }
                }
            }
        }
        return points
    }
}
