import Analysis
import Engine
import Foundation
import Models
import Plot
import Training

/// How the report's traversal figure sweeps the code (issue 5's ranges and bases).
public struct TraversalOptions: Sendable {
    public var range: TraversalRange = .fixed
    /// Sweep around the zero code instead of test image 0's posterior mean.
    public var fromZero = false
    public init(range: TraversalRange = .fixed, fromZero: Bool = false) {
        self.range = range
        self.fromZero = fromZero
    }
}

/// The figures of one run's report, each named by what it shows.
enum RunFigures {
    static let all = ["loss-curves", "kl-per-dim", "reconstructions", "reconstructions-animated", "samples", "interpolations", "latent-pca",
                      "traversals", "traversals-animated", "posterior-grid", "manifold", "class-grid", "factor-mi", "latent-response"]
    /// The figures a live page redraws after every epoch: cheap, and in need of no evaluation.
    static let live = ["loss-curves", "kl-per-dim", "reconstructions"]

    /// The figures that apply to this run, in page order.
    static func specs(_ data: RunData, only: Set<String>? = nil, traversal: TraversalOptions = TraversalOptions()) throws -> [FigureSpec] {
        var specs: [FigureSpec] = []
        func add(_ name: String, _ make: () throws -> FigureSpec?) throws {
            guard only == nil || only?.contains(name) == true else { return }
            if let spec = try make() { specs.append(spec) }
        }
        // An imported run without its training log has one epoch: no curve to draw (the page says why).
        try add("loss-curves") { data.hasTrainingHistory ? lossCurves(data) : nil }
        try add("kl-per-dim") { klPerDimension(data) }
        try add("reconstructions") { reconstructions(data) }
        try add("reconstructions-animated") { data.snapshots.count > 1 ? animatedReconstructions(data) : nil }
        try add("samples") { samples(data) }
        try add("interpolations") { interpolations(data) }
        try add("latent-pca") { try latentPCA(data) }
        try add("traversals") { traversals(data, options: traversal) }
        try add("traversals-animated") { animatedTraversals(data, options: traversal) }
        try add("posterior-grid") { posteriorGrid(data) }
        try add("manifold") { data.latent == 2 ? manifold(data) : nil }
        try add("class-grid") { data.config.model.conditionClasses > 0 ? classGrid(data) : nil }
        try add("factor-mi") { factorMI(data) }
        try add("latent-response") { latentResponse(data) }
        return specs
    }

    static func gridFigure(_ grid: ImageGrid, cell: Double) -> Figure {
        let size = grid.naturalSize(cell: cell)
        return Figure(width: (size.width + 16).rounded(), height: (size.height + 16).rounded(), .images(grid))
    }

}
