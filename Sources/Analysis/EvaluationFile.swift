import Foundation

/// Errors reading a saved evaluation.json.
public struct EvaluationFileError: Error, CustomStringConvertible, Equatable, Sendable {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason); delete it and run 'betavae evaluate' again" }
}

extension EvaluationResult {
    /// Reads evaluation.json's bytes (`path` names the file in errors) and checks them against a
    /// model with `latent` dimensions: one entry per dimension in every per-dimension list, unit
    /// indices in range, a mutual-information row per dimension with one value per factor (no rows
    /// when the dataset has no factors), and
    /// finite numbers wherever the report plots or prints them.
    public static func decode(_ bytes: [UInt8], path: String, latent: Int) throws(EvaluationFileError) -> EvaluationResult {
        let result: EvaluationResult
        do { result = try JSONDecoder().decode(EvaluationResult.self, from: Data(bytes)) } catch {
            throw EvaluationFileError(path: path, reason: "not a betavae evaluation.json of this version")
        }
        if let problem = result.problem(latent: latent) { throw EvaluationFileError(path: path, reason: problem) }
        return result
    }

    /// Why this result cannot belong to a model with `latent` dimensions, or nil.
    func problem(latent: Int) -> String? {
        let usage = self.usage
        guard usage.klPerDimension.count == latent, usage.meanVariance.count == latent else {
            return "has \(usage.klPerDimension.count) latent dimensions, the run's model \(latent)"
        }
        guard usage.activeUnits.allSatisfy({ (0..<latent).contains($0) }), Set(usage.activeUnits).count == usage.activeUnits.count else {
            return "its active units are not distinct dimensions 0…\(latent - 1)"
        }
        let t = test
        var numbers = [t.nelbo, t.recon, t.kl, t.iwaeNLL, t.iwaeStandardError, objective, t.iwaeELBO ?? 0] + usage.klPerDimension + usage.meanVariance
        numbers += [knnAccuracy, knnChance].compactMap { $0 } + (objectiveTerms.map { Array($0.values) } ?? [])
        guard t.samples > 0, t.images > 0, epoch >= 0, key.step >= 0 else { return "its sample and image counts must be positive" }
        guard (1...max(key.testImages, 1)).contains(key.iwaeImages) else { return "its IWAE images must be 1…\(key.testImages), the test images" }
        if let scores = disentanglement {
            if !scores.hasFactors {
                // A dataset without factors or labels (an unlabeled image folder): the writer's empty matrix.
                guard scores.mutualInformation.isEmpty else { return "its mutual-information matrix has rows but it names no factors" }
            } else {
                guard scores.mutualInformation.count == latent,
                      scores.mutualInformation.allSatisfy({ $0.count == scores.factorNames.count }) else {
                    return "its mutual-information matrix is not \(latent) rows of one value per factor"
                }
            }
            numbers += scores.mutualInformation.flatMap { $0 }
            numbers += [scores.betaVAE, scores.factorVAE, scores.mig, scores.gaussianTotalCorrelation, scores.sap, scores.dciDisentanglement,
                        scores.dciCompleteness, scores.dciInformativeness, scores.modularity].compactMap { $0 }
            numbers += scores.factorEntropies ?? []
            if let details = scores.details {
                numbers += Array(details.spread.values) + Array(details.sampled.values) + Array(details.sampledSpread.values)
                numbers += details.accuracies.values.flatMap { [$0.train, $0.evaluation] }
                guard details.repeats > 0, details.sampleSizes.values.allSatisfy({ $0 > 0 }) else {
                    return "its disentanglement details need a positive number of repeats and sample sizes"
                }
            }
        }
        guard numbers.allSatisfy(\.isFinite) else { return "holds a number that is not finite" }
        return nil
    }
}
