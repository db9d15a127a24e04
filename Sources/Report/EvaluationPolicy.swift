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
        try loaded.evaluation(options: loaded.evaluatorOptions(iwaeSamples: iwaeSamples, toolVersion: toolVersion, progress: progress),
                              announce: announce)
    }
}
