/// The tool's version, recorded in every run's config.json.
enum ToolVersion {
    static let string = "0.1.0"
}
