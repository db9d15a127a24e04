import Analysis
import ArgumentParser
import Engine
import Foundation

/// `betavae score CODES.npz`: every disentanglement score of codes that came from anywhere (this
/// tool's `--export-latents`, disentanglement_lib, PyTorch), given their generative factors.
struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score codes against their factors: BetaVAE, FactorVAE, MIG, SAP, DCI, modularity, and DCI-ES, InfoMEC, MIG-sup and IRS.",
        discussion: """
            CODES.npz holds `codes` (float [N, Z], finite) and `factors` (integer [N, F], ≥ 0), with \
            N ≥ \(CodeScores.minimumRows), as numpy.savez writes them. Rows are shuffled (--seed) and split: up to \
            10,000 for fitting and 5,000 for testing (a third for testing when there are fewer). MIG and modularity \
            bin each latent into 20 equal-width bins (natural-log mutual information); SAP uses 1-D linear SVMs \
            (--sap discrete, disentanglement_lib's study setting) or squared correlations (--sap continuous); DCI's \
            importances come from one CART decision tree per factor (disentanglement_lib uses gradient-boosted trees), \
            and its informativeness is their test accuracy. After disentanglement_lib's eight: DCI-ES explicitness \
            (trees of depth 0…8 as probes) and size, InfoM, InfoC and InfoE, MIG-sup and IRS (docs/metrics-new.md). \
            Factors with one value are left out. Codes of more than \(CodeArchive.maximumColumns) latents or \
            \(CodeArchive.maximumRows) rows are refused; of more than \(CodeArchive.poolRows) rows, a seeded pool of \
            \(CodeArchive.poolRows) is scored (every row is checked). An uncompressed archive (numpy.savez) is read \
            in row chunks, so 100,000 × 4,096 codes need about 1.5 GB, not the file's size twice.
            """)

    @Argument(help: "The .npz file with codes [N, Z] and factors [N, F].")
    var codesPath: String
    @Flag(help: "Print the fifteen scores as one JSON object.")
    var json = false
    @Option(help: "Also write scores.json (scores, matrices, settings) and mutual_information.csv into this folder.")
    var out: String?
    @Option(help: "Names of the factors, comma-separated, one per column of factors (default: factor0, factor1, …).")
    var factorNames: String?
    @Option(help: "SAP's score matrix: discrete (linear SVM accuracy) or continuous (squared correlation).")
    var sap: SAPScore.FactorKind = .discrete
    @Option(help: "Seed of the row split and of the BetaVAE and FactorVAE batches.")
    var seed: UInt64 = 0
    @Option(help: "Training points of BetaVAE and FactorVAE (each a batch of 64 codes); half as many evaluate them.")
    var supervisedPoints = 10_000

    static let supervisedPointsLimit = 1_000_000

    func validate() throws {
        if let factorNames {
            let names = try OptionChecks.list(factorNames, option: "--factor-names")
            guard Set(names).count == names.count else { throw ValidationError("--factor-names names a factor twice: '\(factorNames)'") }
        }
        if let out, out.isEmpty { throw ValidationError("--out must name a folder") }
        guard (2...Self.supervisedPointsLimit).contains(supervisedPoints) else {
            throw ValidationError("--supervised-points must be 2…\(Self.supervisedPointsLimit), not \(supervisedPoints)")
        }
    }

    func run() throws {
        try reportingErrors {
            let contents = try CodeArchive.read(path: codesPath, seed: seed)
            var names = (0..<contents.factorCount).map { "factor\($0)" }
            if let factorNames {
                let given = try OptionChecks.list(factorNames, option: "--factor-names")
                guard given.count == contents.factorCount else {
                    throw ValidationError("--factor-names gives \(given.count) names but \(codesPath) has \(contents.factorCount) factors")
                }
                names = given
            }
            if let out {
                var isFolder: ObjCBool = false
                if FileManager.default.fileExists(atPath: out, isDirectory: &isFolder), !isFolder.boolValue {
                    throw ValidationError("--out \(out) is a file, not a folder")
                }
            }
            var options = CodeScores.Options()
            options.seed = seed
            options.sapKind = sap
            options.supervisedTrainPoints = supervisedPoints
            options.supervisedEvalPoints = supervisedPoints / 2
            let card = CodeScores.score(codes: contents.codes, factors: contents.factors, names: names, options: options)
            let pooled = contents.totalRows > contents.codes.rows
                ? "scored on a seeded pool of \(contents.codes.rows) of its \(contents.totalRows) rows" : nil
            if let out {
                try AtomicFile.write(card.encoded(), to: out + "/scores.json")
                try AtomicFile.write(Array(card.mutualInformationCSV().utf8), to: out + "/mutual_information.csv")
            }
            if json {
                print(card.scoresJSON())
            } else {
                print(Self.describe(card, path: codesPath))
                if let pooled { print(pooled) }
                if let out { print("saved \(out)/scores.json and \(out)/mutual_information.csv") }
            }
        }
    }

    static func describe(_ card: CodeScores.Card, path: String) -> String {
        var lines = [
            "\(path): \(card.rows) rows, \(card.latent) latents, factors \(card.factorNames.joined(separator: ", ")); "
                + "\(card.trainRows) rows to fit, \(card.testRows) to test, seed \(card.seed)",
        ]
        let notes = ["sap": card.sapKind == SAPScore.FactorKind.discrete.rawValue ? "(discrete: 1-D linear SVMs)" : "(continuous: squared correlations)",
                     "dci_disentanglement": "(importances of one CART tree per factor; disentanglement_lib boosts trees)",
                     "dci_informativeness": "(test accuracy of those trees)"]
        for key in CodeScores.keys {
            lines.append(key.padding(toLength: 20, withPad: " ", startingAt: 0) + String(format: " %.4f", card.scores[key] ?? 0) + (notes[key].map { "  " + $0 } ?? ""))
        }
        if !card.constantFactors.isEmpty {
            lines.append("left out (a single value): " + card.constantFactors.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }
}

extension SAPScore.FactorKind: ExpressibleByArgument {}
