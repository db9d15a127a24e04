import Analysis
import Training

/// How reports and comparisons get each run's evaluation: the K they ask for, the tool version
/// that keys the saved evaluation, and how they tell the user when they must compute one.
public struct EvaluationPolicy: Sendable {
    /// Importance samples K when an evaluation has to be computed (and the K a saved one must have);
    /// nil: the run's architecture's default (`EvaluationDefaults`).
    public var iwaeSamples: Int?
    public var toolVersion: String
    /// Follows the IWAE estimate (images done, images in all).
    public var progress: (@Sendable (Int, Int) -> Void)?
    /// Told, in one line, when an evaluation must be computed and why.
    public var announce: @Sendable (String) -> Void

    public init(iwaeSamples: Int? = nil, toolVersion: String = ToolVersion.string, progress: (@Sendable (Int, Int) -> Void)? = nil,
                announce: @escaping @Sendable (String) -> Void = { _ in }) {
        self.iwaeSamples = iwaeSamples
        self.toolVersion = toolVersion
        self.progress = progress
        self.announce = announce
    }

    /// `loaded`'s evaluation over its whole test split: the saved one when its key matches, else computed and saved.
    func evaluation(of loaded: LoadedRun) throws -> EvaluationResult {
        try loaded.evaluation(options: options(loaded), announce: announce)
    }

    /// Whether `loaded` has a saved evaluation this policy would use as it is.
    func hasSavedEvaluation(_ loaded: LoadedRun) throws -> Bool {
        try loaded.savedEvaluation(matching: options(loaded)).result != nil
    }

    private func options(_ loaded: LoadedRun) -> Evaluator.Options {
        loaded.evaluatorOptions(iwaeSamples: iwaeSamples, toolVersion: toolVersion, progress: progress)
    }
}
