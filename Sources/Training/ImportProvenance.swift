import Models

/// Where an imported run's weights came from, recorded in config.json as `importedFrom`: the file
/// and its SHA-256, the repository and model it was saved from, how each of its tensors became
/// one of ours, and the training log attached with `--metrics` (if any).
public struct ImportProvenance: Codable, Equatable, Sendable {
    /// The weights file as given on the command line, made absolute.
    public var file: String
    /// SHA-256 of the file's bytes (what `sha256sum` prints).
    public var sha256: String
    public var source: WeightSource
    /// The repository's model class(es), e.g. "1Konny/Beta-VAE BetaVAE_B".
    public var sourceModel: String
    /// Every tensor taken, in our parameter order.
    public var mapping: [ParameterMapping]
    /// Tensors in the file that hold no model weight and were skipped (a betavae checkpoint's Adam moments).
    public var skipped: Int
    /// The training log attached with --metrics, its SHA-256 and its format; nil without one.
    public var metricsFile: String?
    public var metricsSHA256: String?
    public var metricsFormat: String?
    /// The epoch the imported weights became (later epochs were trained here, by `train --resume`).
    public var epoch: Int?

    public init(file: String, sha256: String, source: WeightSource, sourceModel: String, mapping: [ParameterMapping], skipped: Int,
                metricsFile: String? = nil, metricsSHA256: String? = nil, metricsFormat: String? = nil) {
        self.file = file
        self.sha256 = sha256
        self.source = source
        self.sourceModel = sourceModel
        self.mapping = mapping
        self.skipped = skipped
        self.metricsFile = metricsFile
        self.metricsSHA256 = metricsSHA256
        self.metricsFormat = metricsFormat
    }

    /// True when the run's curves come from the other repository's log, so it has a history to draw.
    public var hasTrainingLog: Bool { metricsFile != nil }

    /// Why this record cannot be one `betavae import` wrote, or nil.
    var problem: String? {
        func isDigest(_ text: String?) -> Bool { text.map { $0.count == 64 && $0.allSatisfy(\.isHexDigit) } ?? true }
        guard !file.isEmpty, isDigest(sha256), !sha256.isEmpty, isDigest(metricsSHA256) else {
            return "file must be named and sha256 be 64 hexadecimal digits"
        }
        guard !mapping.isEmpty, skipped >= 0 else { return "mapping must list the imported tensors" }
        guard (metricsFile == nil) == (metricsSHA256 == nil) else { return "metricsFile and metricsSHA256 go together" }
        return nil
    }
}
