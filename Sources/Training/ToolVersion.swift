/// The tool's version, recorded in every run's config.json and in every evaluation's key. Raised
/// whenever a saved evaluation.json would no longer be what the code computes, so that reports,
/// comparisons and studies recompute it instead of showing the old numbers (0.3.0: InfoE was
/// computed with InfoC's capacity, and evaluations gained disentanglement_lib's explicitness).
public enum ToolVersion {
    public static let string = "0.3.0"
}
