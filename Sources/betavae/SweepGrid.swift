import ArgumentParser
import Foundation

/// `sweep --vary KEY=V1,V2,…`: one axis of the sweep's grid per KEY, any train option by its name.
/// Values are kept as the option writes them back (`0.10` and `1e-1` are both `0.1`), so two
/// spellings of one value are refused as a duplicate and run names are stable.
struct SweepAxis: Equatable {
    var key: String
    var values: [String]
}

/// The runs of a sweep: every combination of the varied options, each β of `--betas` for the
/// settings whose objective takes a β, and each seed.
struct SweepGrid {
    /// One run to be: its options (β, seed and the varied values applied) and its name's suffix.
    struct Point {
        var options: TrainOptions
        var suffix: String
    }

    /// Options a sweep sets itself or that do not change what a run learns.
    static let reservedKeys = [
        "beta": "a sweep takes β from --betas",
        "seed": "a sweep takes its seeds from --seeds",
        "threads": "engine threads do not change what a run learns",
        "keep-checkpoints": "the checkpoints kept do not change what a run learns",
    ]

    /// Parses the `--vary` items against the sweep's train options `base`.
    static func axes(_ items: [String], base: TrainOptions) throws -> [SweepAxis] {
        let names = try OptionArguments.names(of: TrainOptions.self)
        let given = OptionArguments(base), defaults = OptionArguments(try TrainOptions.parse([]))
        var axes: [SweepAxis] = []
        for item in items {
            guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
                throw ValidationError("--vary must be KEY=V1,V2,… naming a train option, like --vary latent=5,10; '\(item)' is not")
            }
            let key = String(item[..<equals]).trimmingCharacters(in: .whitespaces)
            if let reason = reservedKeys[key] { throw ValidationError("--vary \(key): \(reason)") }
            guard names.contains(key) else {
                throw ValidationError("--vary \(key): not an option of train; one of \(names.filter { reservedKeys[$0] == nil }.joined(separator: ", "))")
            }
            guard !axes.contains(where: { $0.key == key }) else {
                throw ValidationError("--vary names \(key) twice; give all its values in one --vary \(key)=V1,V2,…")
            }
            guard given.value(of: key) == defaults.value(of: key) else {
                throw ValidationError("--\(key) and --vary \(key): the sweep takes \(key) from --vary; leave --\(key) out")
            }
            var values: [String] = [], spelled: [String: String] = [:]
            for text in try OptionChecks.list(String(item[item.index(after: equals)...]), option: "--vary \(key)") {
                let value = try canonical(key: key, text: text, defaults: defaults)
                if let earlier = spelled[value] {
                    throw ValidationError("--vary \(key) names \(value) twice" + (earlier == text ? "" : " (\(earlier) and \(text))") + "; give each value once")
                }
                spelled[value] = text
                values.append(value)
            }
            axes.append(SweepAxis(key: key, values: values))
        }
        return axes
    }

    /// `text` as option `key` writes it back once parsed (validated as `train` validates it).
    static func canonical(key: String, text: String, defaults: OptionArguments) throws -> String {
        if defaults.settings.first(where: { $0.name == key })?.isFlag == true {
            guard text == "true" || text == "false" else { throw ValidationError("--vary \(key): a flag takes true or false, not '\(text)'") }
            return text
        }
        do {
            let parsed = try TrainOptions.parse(defaults.replacing(key, with: text).arguments)
            guard let value = OptionArguments(parsed).value(of: key), let value else { return text }
            return value
        } catch {
            throw ValidationError("--vary \(key)=\(text): " + TrainOptions.message(for: error))
        }
    }

    /// Every run: for each combination of the axes (the first axis outermost), each β when the
    /// combination's objective takes one, each seed. Names say every varied value:
    /// `-beta4-latent10-seed2` (the seed only with several seeds).
    static func points(base: TrainOptions, axes: [SweepAxis], betas: [Double]?, seeds: [UInt64]) throws -> [Point] {
        var combinations: [[(key: String, value: String)]] = [[]]
        for axis in axes {
            combinations = combinations.flatMap { partial in axis.values.map { partial + [(axis.key, $0)] } }
        }
        let arguments = OptionArguments(base)
        var points: [Point] = []
        var anyTakesBeta = false
        for combination in combinations {
            let described = combination.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            var options: TrainOptions
            do {
                options = try TrainOptions.parse(combination.reduce(arguments) { $0.replacing($1.key, with: $1.value) }.arguments)
                try options.checkCombination()
            } catch {
                throw ValidationError((described.isEmpty ? "" : "--vary \(described): ") + TrainOptions.message(for: error))
            }
            let varied = combination.map { "-" + namePart(key: $0.key, value: $0.value) }.joined()
            let takesBeta = options.takesBeta
            anyTakesBeta = anyTakesBeta || takesBeta
            for beta in takesBeta ? (betas ?? SweepCommand.defaultBetas) : [options.beta] {
                for seed in seeds {
                    var point = options
                    point.beta = beta
                    point.seed = seed
                    let betaPart = takesBeta ? "-beta" + TrainOptions.compact(beta) : ""
                    points.append(Point(options: point, suffix: betaPart + varied + (seeds.count > 1 ? "-seed\(seed)" : "")))
                }
            }
        }
        if betas != nil && !anyTakesBeta {
            throw ValidationError("--betas: --objective \(base.objective.rawValue) has no β; leave --betas out")
        }
        var seen = Set<String>()
        for point in points where !seen.insert(point.suffix).inserted {
            throw ValidationError("--vary: two settings would share the run folder …\(point.suffix); give values that differ in a folder name")
        }
        return points
    }

    /// A varied value in a run's name: `latent10`, `lr0.0005`, `objective-tcvae`; characters that
    /// cannot be in a folder name become `_`.
    static func namePart(key: String, value: String) -> String {
        let startsWithNumber = value.first.map { $0.isNumber || $0 == "-" || $0 == "." } ?? false
        let safe = String(value.map { $0 == "/" || $0 == ":" || $0 == " " ? "_" : $0 })
        return key + (startsWithNumber ? "" : "-") + safe
    }
}

extension TrainOptions {
    /// Whether these settings take a β: their objective accepts `--beta` (asked of
    /// `checkCombination`, so an objective added later answers for itself).
    var takesBeta: Bool {
        guard !deterministic else { return false }
        var probe = self
        probe.beta = beta == 2 ? 3 : 2
        return (try? probe.checkCombination()) != nil
    }
}
