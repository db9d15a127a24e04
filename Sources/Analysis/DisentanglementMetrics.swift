import Datasets
import Engine
import Foundation
import Models

/// Disentanglement metrics (filled in by the disentanglement issue; for now the label-based
/// mutual information and the Gaussian total correlation that every dataset supports).
public enum DisentanglementMetrics {
    public static func scores(model: VAE, dataset: Dataset, encodedTest: EncodedSet, seed: UInt64) -> DisentanglementScores? {
        nil
    }
}
