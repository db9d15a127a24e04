import Foundation

/// An unsupervised model-selection score for the study page: given the runs of one method on one
/// dataset (every hyperparameter value and seed), a score per run, higher meaning "pick this one",
/// computed without the ground-truth factors — Unsupervised Disentanglement Ranking (UDR; Duan et
/// al. 2020, "Unsupervised Model Selection for Variational Disentangled Representation Learning",
/// ICLR), which compares each model's representation with those of the other seeds.
public protocol UnsupervisedModelSelection: Sendable {
    /// How the page names the score ("UDR (Spearman)").
    var name: String { get }
    /// One score per run folder in `runs` (nil where the run cannot be scored), in that order.
    func scores(runs: [String]) throws -> [Double?]
}

/// Where the study page gets its unsupervised model selection: UDR (`UDRSelection`, on
/// `UDRScore` in Analysis), each run compared with the other seeds of its own setting on the same
/// inputs (`UDRCodes`). nil would make the page show the best and median runs alone and say that
/// no selection score is wired in.
public enum ModelSelection {
    public static let unsupervised: (any UnsupervisedModelSelection)? = UDRSelection()
}
