import Models
import Plot
import Training

/// The loss-curves figure's panels of the objective's own terms (metrics.csv's term columns): the
/// terms in nats in one panel (test solid, train dashed, one colour per term) and FactorVAE's
/// discriminator accuracy in another.
enum ObjectiveTermFigures {
    static let termLabels: [String: String] = [
        "mi": "MI", "tc": "TC", "dimwise_kl": "dimension-wise KL", "discriminator_loss": "discriminator loss",
        "discriminator_accuracy": "accuracy", "dip_offdiagonal": "Σ off-diagonal C²", "dip_diagonal": "Σ (diagonal C − 1)²",
    ]

    /// The panels (none for β, capacity and the autoencoder).
    static func panels(_ metrics: MetricsLog, objective: Objective) -> [Axes] {
        let train = metrics.rows(split: "train"), test = metrics.rows(split: "test")
        let colors = [Color(hex: 0x0072B2), Color(hex: 0xD55E00), Color(hex: 0x009E73)]
        func lines(_ names: [String]) -> [Mark] {
            names.enumerated().flatMap { index, name -> [Mark] in
                let color = colors[index % colors.count], label = termLabels[name] ?? name
                return [.line(LineSeries(x: test.map { Double($0.epoch) }, y: metrics.term(name, in: test) ?? [], label: label + ", test",
                                         color: color, markers: test.count <= 40)),
                        .line(LineSeries(x: train.map { Double($0.epoch) }, y: metrics.term(name, in: train) ?? [], label: label + ", train",
                                         color: color, dashed: true))]
            }
        }
        let nats = metrics.termNames.filter { $0 != "discriminator_accuracy" }
        guard !nats.isEmpty else { return [] }
        var panels = [Axes(title: title(objective), xLabel: "epoch", yLabel: "nats", marks: lines(nats), xIntegerTicks: true)]
        if metrics.termNames.contains("discriminator_accuracy") {
            panels.append(Axes(title: "discriminator accuracy", xLabel: "epoch", yLabel: "share of codes", marks: lines(["discriminator_accuracy"]),
                               xIntegerTicks: true))
        }
        return panels
    }

    static func title(_ objective: Objective) -> String {
        switch objective {
        case .tcvae: return "β-TCVAE's KL terms"
        case .factorVAE: return "discriminator"
        case .dipVAE: return "DIP penalty (unweighted)"
        default: return "objective's terms"
        }
    }

    /// The caption's sentence on the term panels.
    static func caption(_ objective: Objective) -> String {
        switch objective {
        case .tcvae(let s):
            let shift = s.sampling == .weighted
                ? " Minibatch-weighted sampling, as the paper writes it, shifts them by constants that cancel in their sum and leave the gradients alone: MI by +log N, TC by +(Z − 1)·log N and the dimension-wise KL by −Z·log N (N training images)."
                : ""
            return " The terms panel shows β-TCVAE's estimates of the index-code mutual information, the total correlation and the dimension-wise KL (Chen et al. 2018), each batch's own estimate averaged; their sum is the one-sample KL." + shift
        case .factorVAE:
            return " The discriminator panels show its estimate of the total correlation, mean(logit₀ − logit₁), its cross-entropy (log 2 ≈ 0.69 when it cannot tell codes from dimension-wise permuted ones) and its accuracy on the two (0.5 at chance; Kim & Mnih 2018)."
        case .dipVAE:
            return " The penalty panel shows the unweighted sums of the squared off-diagonal entries of the batch covariance C and of its squared diagonal gaps to 1 (Kumar et al. 2018)."
        default: return ""
        }
    }
}
