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
            10,000 for fitting and 5,000 for testing (a third for testing when there are fewer). Or it holds \
            disentanglement_lib's split as given — codes_train, factors_train, codes_test, factors_test — which is \
            used exactly: fit on the first pair, test on the second, no shuffling. Every score of disentanglement_lib's \
            nine is its estimator: MIG and modularity bin each latent into 20 equal-width bins (natural-log mutual \
            information); SAP uses 1-D linear SVMs (--sap discrete, its study setting) or squared correlations (--sap \
            continuous); DCI's importances and informativeness come from scikit-learn's GradientBoostingClassifier() \
            per factor (--dci-estimator tree: one CART tree, faster, not the literature's numbers); BetaVAE uses \
            scikit-learn's LogisticRegression(), and so does explicitness (test ROC AUC per factor). --protocol dlib (the default) draws BetaVAE and FactorVAE on 10,000 + \
            5,000 points of 64 codes; quick on 150 + 75 of 32. After disentanglement_lib's nine: DCI-ES explicitness \
            (CART trees of depth 0…8 as probes) and size, InfoM, InfoC and InfoE, MIG-sup and IRS (docs/metrics-new.md). \
            Factors with one value are left out. Codes of more than \(CodeArchive.maximumColumns) latents or \
            \(CodeArchive.maximumRows) rows are refused; of more than \(CodeArchive.poolRows) rows, a seeded pool of \
            \(CodeArchive.poolRows) is scored (every row is checked; a given split is scored whole). An uncompressed \
            archive (numpy.savez) is read in row chunks, so only the pool is held, not the file's size twice; \
            scoring 100,000 × 4,096 codes took 34 min on 2 cores and peaked at 1.7 GB (docs/dlib.md).
            """)

    @Argument(help: "The .npz file with codes [N, Z] and factors [N, F].")
    var codesPath: String
    @Flag(help: "Print the sixteen scores as one JSON object.")
    var json = false
    @Option(help: "Also write scores.json (scores, matrices, settings) and mutual_information.csv into this folder.")
    var out: String?
    @Option(help: "Names of the factors, comma-separated, one per column of factors (default: factor0, factor1, …).")
    var factorNames: String?
    @Option(help: "SAP's score matrix: discrete (linear SVM accuracy) or continuous (squared correlation).")
    var sap: SAPScore.FactorKind = .discrete
    @Option(help: "Seed of the row split and of the BetaVAE and FactorVAE batches.")
    var seed: UInt64 = 0
    @Option(help: "Sample sizes: dlib (disentanglement_lib's) or quick.")
    var `protocol`: EvaluationProtocol = .dlib
    @Option(help: "DCI's classifier: boosted (scikit-learn's GradientBoostingClassifier(), as disentanglement_lib) or tree (one CART tree per factor).")
    var dciEstimator: DCIScores.Estimator = .boosted
    @Option(help: "Training points of BetaVAE and FactorVAE (default: the protocol's, 10,000 or 150); half as many evaluate them.")
    var supervisedPoints: Int?

    static let supervisedPointsLimit = 1_000_000

    func validate() throws {
        if let factorNames {
            let names = try OptionChecks.list(factorNames, option: "--factor-names")
            guard Set(names).count == names.count else { throw ValidationError("--factor-names names a factor twice: '\(factorNames)'") }
        }
        if let out, out.isEmpty { throw ValidationError("--out must name a folder") }
        if let supervisedPoints, !(2...Self.supervisedPointsLimit).contains(supervisedPoints) {
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
            var options = `protocol`.options()
            options.seed = seed
            options.sapKind = sap
            options.dciEstimator = dciEstimator
            if let supervisedPoints {
                options.supervisedTrainPoints = supervisedPoints
                options.supervisedEvalPoints = supervisedPoints / 2
            }
            let card = CodeScores.score(codes: contents.codes, factors: contents.factors, names: names, options: options,
                                        trainRows: contents.trainRows)
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
                + "\(card.trainRows) rows to fit, \(card.testRows) to test" + (card.givenSplit == true ? " (the split given)" : ", seed \(card.seed)")
                + "; \(card.evaluationProtocol ?? "dlib") protocol",
        ]
        for key in CodeScores.keys {
            lines.append(key.padding(toLength: 20, withPad: " ", startingAt: 0) + String(format: " %.4f", card.scores[key] ?? 0)
                         + "  " + estimatorNote(key, card: card))
        }
        if !card.constantFactors.isEmpty {
            lines.append("left out (a single value): " + card.constantFactors.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }

    /// One short line per score: the estimator it comes from (the card's settings have the whole story).
    static func estimatorNote(_ key: String, card: CodeScores.Card) -> String {
        let dci = card.dciEstimator == DCIScores.Estimator.tree.rawValue ? "one CART tree per factor" : "GradientBoostingClassifier() per factor"
        switch key {
        case "beta_vae": return "(LogisticRegression() on mean |z1 − z2|)"
        case "factor_vae": return "(majority vote of least-variance latents)"
        case "mig", "modularity": return "(20-bin mutual information, every latent)"
        case "sap": return card.sapKind == SAPScore.FactorKind.discrete.rawValue ? "(LinearSVC(C=0.01, balanced) per latent)" : "(squared correlations)"
        case "dci_informativeness": return "(test accuracy of \(dci))"
        case "explicitness": return "(test ROC AUC of LogisticRegression() per factor)"
        case "dci_disentanglement", "dci_completeness": return "(importances of \(dci))"
        case "dci_es_explicitness": return "(CART probes of depth 0…8)"
        case "dci_es_size": return "(factors / latents)"
        case "infom", "infoc", "mig_sup": return "(20-bin normalised mutual information)"
        case "infoe": return "(training log loss of LogisticRegression())"
        case "irs": return "(99th-percentile deviations, 20 factor bins)"
        default: return ""
        }
    }
}

extension SAPScore.FactorKind: ExpressibleByArgument {}
extension DCIScores.Estimator: ExpressibleByArgument {}
extension EvaluationProtocol: ExpressibleByArgument {}
