/// The tool's version, recorded in every run's config.json and in every evaluation's key.
public enum ToolVersion {
    public static let string = "0.2.0"
}
