import Models

/// How much an evaluation computes when the user does not say: chosen per architecture so that
/// `evaluate` with its defaults takes under 2 minutes on this project's 2-core machine (README,
/// Performance, has the measured times). The IWAE bound's cost is K decodes per image, so a
/// convolutional decoder (burgess: 12.5 MFLOP a decode, 20× the MLP's) gets fewer samples and
/// images; its standard error, over images, is reported beside it.
public struct EvaluationDefaults: Equatable, Sendable {
    /// Importance samples K per image.
    public var iwaeSamples: Int
    /// IWAE over the first N test images (nil: all of them). The one-sample NELBO, KL and
    /// latent statistics always use the whole test split, as metrics.csv's test rows do.
    public var iwaeImages: Int?
    /// Training images whose posterior means are the 5-NN references (nil: all of them).
    public var knnTrainImages: Int?

    public static func of(_ architecture: Architecture) -> EvaluationDefaults {
        switch architecture {
        case .mlp: EvaluationDefaults(iwaeSamples: 500, iwaeImages: nil, knnTrainImages: nil)
        case .conv28: EvaluationDefaults(iwaeSamples: 200, iwaeImages: 2000, knnTrainImages: nil)
        case .burgess, .dislib, .conv64: EvaluationDefaults(iwaeSamples: 100, iwaeImages: 1000, knnTrainImages: 10_000)
        }
    }

    /// "mlp 500, conv28 200, burgess 100", for the commands' help.
    public static var samplesByArchitecture: String {
        Architecture.allCases.map { "\($0.rawValue) \(of($0).iwaeSamples)" }.joined(separator: ", ")
    }

    /// "mlp all, conv28 2000, burgess 1000", for the commands' help.
    public static var imagesByArchitecture: String {
        Architecture.allCases.map { "\($0.rawValue) \(of($0).iwaeImages.map(String.init) ?? "all")" }.joined(separator: ", ")
    }
}
