import Analysis
import Engine
import Foundation

/// A study written down (`DIR/study.json`): which methods, hyperparameter values, seeds and
/// datasets, how long each run trains and how each is evaluated, and what every run of the
/// study's sweep plan (`DIR/sweep.json`, same order) stands for. The study's runs are trained
/// like a sweep's — locally or as a Slurm job array — and this file is what the study page
/// groups them by.
public struct StudyPlan: Codable, Equatable, Sendable {
    public static let fileName = "study.json"

    /// One method and the values of its hyperparameter that the study trains.
    public struct Method: Codable, Equatable, Sendable {
        public var name: String
        public var values: [Double]
        public init(name: String, values: [Double]) {
            self.name = name
            self.values = values
        }
    }

    /// What run `i` of the sweep plan is: its method, hyperparameter value, seed and dataset.
    public struct Member: Codable, Equatable, Sendable {
        public var name: String
        public var method: String
        public var value: Double
        public var seed: UInt64
        public var dataset: String
        public init(name: String, method: String, value: Double, seed: UInt64, dataset: String) {
            self.name = name
            self.method = method
            self.value = value
            self.seed = seed
            self.dataset = dataset
        }
    }

    /// How every run is evaluated (the evaluate command's options; nil: the architecture's default).
    public struct Evaluation: Codable, Equatable, Sendable {
        public var iwaeSamples: Int?
        public var iwaeImages: Int?
        public var testLimit: Int?
        /// The disentanglement scores' sample sizes (`--protocol`); absent from study.json files
        /// written before the option existed, whose runs were evaluated with `quick`.
        public var evaluationProtocol: EvaluationProtocol?
        public init(iwaeSamples: Int? = nil, iwaeImages: Int? = nil, testLimit: Int? = nil, evaluationProtocol: EvaluationProtocol? = .dlib) {
            self.iwaeSamples = iwaeSamples
            self.iwaeImages = iwaeImages
            self.testLimit = testLimit
            self.evaluationProtocol = evaluationProtocol
        }

        /// The protocol the runs are evaluated with: the plan's, or `quick` for a plan that predates the option.
        public var scoreProtocol: EvaluationProtocol { evaluationProtocol ?? .quick }
    }

    public var version = 1
    /// The preset the defaults came from (`locatello2019`), or nil for a plan file's own protocol.
    public var preset: String?
    public var datasets: [String]
    public var methods: [Method]
    public var seeds: [UInt64]
    public var steps: Int
    public var evaluation: Evaluation
    public var members: [Member]

    public init(preset: String?, datasets: [String], methods: [Method], seeds: [UInt64], steps: Int, evaluation: Evaluation, members: [Member]) {
        self.preset = preset
        self.datasets = datasets
        self.methods = methods
        self.seeds = seeds
        self.steps = steps
        self.evaluation = evaluation
        self.members = members
    }

    public static func file(folder: String) -> String { folder + "/" + fileName }

    public func write(folder: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(Array(try encoder.encode(self)) + [0x0A], to: Self.file(folder: folder))
    }

    /// Reads `DIR/study.json` with the sweep plan it describes, refusing a file that is not a study
    /// of that plan (another run count or names, impossible values).
    public static func read(folder: String) throws(TrainingError) -> (study: StudyPlan, sweep: SweepPlan) {
        let sweep = try SweepPlan.read(folder: folder)
        let path = file(folder: sweep.folder)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .io("\(path): not found; 'betavae study' writes it into the study folder (its --out)")
        }
        let study: StudyPlan
        do { study = try JSONDecoder().decode(StudyPlan.self, from: data) } catch {
            throw .corruptRun(path: path, reason: "not a betavae study plan (\(error))")
        }
        if let problem = study.problem(sweep: sweep) { throw .corruptRun(path: path, reason: problem) }
        return (study, sweep)
    }

    /// Why this study cannot describe `sweep`'s runs, or nil.
    public func problem(sweep: SweepPlan) -> String? {
        guard version == 1 else { return "version \(version) is not 1" }
        guard members.count == sweep.runs.count else { return "it names \(members.count) runs, its sweep.json \(sweep.runs.count)" }
        for (member, entry) in zip(members, sweep.runs) where member.name != entry.name {
            return "run '\(member.name)' is '\(entry.name)' in sweep.json; write the study again"
        }
        guard members.allSatisfy({ $0.value.isFinite }) else { return "a hyperparameter value is not finite" }
        guard (1...RunConfig.stepLimit).contains(steps) else { return "steps must be 1…\(RunConfig.stepLimit), not \(steps)" }
        return nil
    }
}
