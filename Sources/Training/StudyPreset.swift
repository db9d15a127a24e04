import Foundation
import Models

/// The protocol of Locatello et al. (2019), "Challenging Common Assumptions in the Unsupervised
/// Learning of Disentangled Representations" (ICML), Appendix G / Table 2: the training settings
/// every run shares and each method's hyperparameter grid. Written as `train` options, so that a
/// study's runs are checked and configured exactly as `train` checks and configures them.
public enum StudyPreset {
    public static let name = "locatello2019"

    /// The settings every run shares: batch 64, Adam lr 1e-4 (β1 0.9, β2 0.999, ε 1e-8, the
    /// engine's Adam defaults), Z = 10, a Bernoulli decoder, the convolutional architecture of
    /// Burgess et al. (2018) (the paper's Table 1).
    public static let trainArguments = ["--model", "burgess", "--latent", "10", "--batch-size", "64", "--lr", "1e-4", "--likelihood", "bernoulli"]

    /// The paper's training length: 300,000 steps.
    public static let steps = 300_000

    /// One method of the study: its name on the command line, its hyperparameter's name, the
    /// paper's grid, and the train options of one value.
    public struct Method: Sendable {
        public var name: String
        public var title: String
        public var parameter: String
        public var grid: [Double]
        public var arguments: @Sendable (String) -> [String]
    }

    /// The six methods in the paper's order, each with its grid (Table 2).
    public static let methods: [Method] = [
        Method(name: "beta", title: "β-VAE", parameter: "β", grid: [1, 2, 4, 6, 8, 16]) { ["--objective", "beta", "--beta", $0] },
        // AnnealedVAE: C rises to C_max over 100,000 steps, |KL − C| weighed by γ = 1000.
        Method(name: "annealed", title: "AnnealedVAE", parameter: "C_max", grid: [5, 10, 25, 50, 75, 100]) {
            ["--objective", "capacity", "--capacity-max", $0, "--gamma", "1000", "--capacity-steps", "100000"]
        },
        Method(name: "factorvae", title: "FactorVAE", parameter: "γ", grid: [10, 20, 30, 40, 50, 100]) { ["--objective", "factorvae", "--gamma", $0] },
        // DIP-VAE-I: λ_d = 10·λ_od; DIP-VAE-II: λ_d = λ_od (the objectives' own defaults, given explicitly).
        Method(name: "dipvae-i", title: "DIP-VAE-I", parameter: "λ_od", grid: [1, 2, 5, 10, 20, 50]) {
            ["--objective", "dipvae-i", "--lambda-od", $0, "--lambda-d", compactNumber(10 * (Double($0) ?? .nan))]
        },
        Method(name: "dipvae-ii", title: "DIP-VAE-II", parameter: "λ_od", grid: [1, 2, 5, 10, 20, 50]) {
            ["--objective", "dipvae-ii", "--lambda-od", $0, "--lambda-d", $0]
        },
        Method(name: "tcvae", title: "β-TCVAE", parameter: "β", grid: [1, 2, 4, 6, 8, 10]) { ["--objective", "tcvae", "--tc-weight", $0] },
    ]

    public static func method(_ name: String) -> Method? { methods.first { $0.name == name } }
    public static var methodNames: String { methods.map(\.name).joined(separator: ",") }

    /// The train options of one run of the study (before its dataset, seed and length).
    public static func arguments(method: String, value: Double) -> [String] {
        guard let method = self.method(method) else { preconditionFailure("unknown method \(method)") }
        return trainArguments + method.arguments(compactNumber(value))
    }
}

/// A study as a file (`study --plan FILE`): the datasets, and optionally the methods with their
/// values, the seeds and the steps (the preset's otherwise). Read and checked here, once, before anything runs.
public struct StudyPlanFile: Codable, Equatable, Sendable {
    public var datasets: [String]?
    /// Method name → its values (the preset's grid when the list is empty).
    public var methods: [String: [Double]]?
    public var seeds: [UInt64]?
    public var steps: Int?

    /// The plan file at `path`, or one line naming the file and what is wrong with it.
    public static func read(path: String) throws(TrainingError) -> StudyPlanFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .io("\(path): not found; --plan takes a JSON file like {\"datasets\": [\"sprites\"], \"methods\": {\"beta\": [1, 4]}, \"seeds\": [0, 1], \"steps\": 300000}")
        }
        let plan: StudyPlanFile
        do { plan = try JSONDecoder().decode(StudyPlanFile.self, from: data) } catch {
            throw .corruptRun(path: path, reason: "not a study plan: \(StudyPlanFile.describe(error)); its keys are datasets, methods, seeds, steps")
        }
        if let problem = plan.problem { throw .corruptRun(path: path, reason: problem) }
        return plan
    }

    /// Why the plan cannot be run, or nil.
    public var problem: String? {
        guard let datasets, !datasets.isEmpty, !datasets.contains(where: \.isEmpty) else { return "datasets must name one dataset or more" }
        if let methods {
            guard !methods.isEmpty else { return "methods must name one method or more" }
            for (name, values) in methods {
                guard StudyPreset.method(name) != nil else { return "method '\(name)' is not one of \(StudyPreset.methodNames)" }
                guard values.allSatisfy({ $0.isFinite && $0 >= 0 }) else { return "method \(name): values must be finite numbers ≥ 0" }
                guard Set(values).count == values.count else { return "method \(name) names a value twice" }
            }
        }
        if let seeds, seeds.isEmpty || Set(seeds).count != seeds.count { return "seeds must be one seed or more, each once" }
        if let steps, !(1...RunConfig.stepLimit).contains(steps) { return "steps must be 1…\(RunConfig.stepLimit), not \(steps)" }
        return nil
    }

    static func describe(_ error: Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, _)?: return "no '\(key.stringValue)'"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?, .dataCorrupted(let context)?:
            let place = context.codingPath.map(\.stringValue).joined(separator: ".")
            return (place.isEmpty ? "" : "'\(place)': ") + context.debugDescription
        default: return "\(error)"
        }
    }
}
