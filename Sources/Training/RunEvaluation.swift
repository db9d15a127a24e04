import Analysis
import Datasets
import Engine
import Foundation

/// A loaded run's evaluation as an artefact keyed by what made it (RUN/evaluation.json): `evaluate`
/// always computes and saves one; reports and comparisons reuse the saved one only when its key
/// is exactly what they would compute, and say so when they must compute it.
extension LoadedRun {
    /// The evaluator's settings for this run's checkpoint: its binarisation, seed, objective,
    /// epoch and step, with K, the IWAE's images and the k-NN references of `EvaluationDefaults`
    /// for its architecture unless `iwaeSamples` or `iwaeImages` say otherwise, and an optional `testLimit`.
    public func evaluatorOptions(iwaeSamples: Int? = nil, iwaeImages: Int? = nil, testLimit: Int? = nil, toolVersion: String,
                                 evaluationProtocol: EvaluationProtocol = .quick,
                                 progress: (@Sendable (Int, Int) -> Void)? = nil) -> Evaluator.Options {
        let defaults = EvaluationDefaults.of(config.model.architecture)
        var options = Evaluator.Options()
        options.iwaeSamples = iwaeSamples ?? defaults.iwaeSamples
        options.iwaeImages = iwaeImages ?? defaults.iwaeImages
        options.knnTrainLimit = defaults.knnTrainImages
        options.testLimit = testLimit
        options.binarization = Binarization(rawValue: config.binarize) ?? .none
        options.seed = config.seed
        options.objective = config.objective
        options.epoch = epoch
        options.step = step
        options.toolVersion = toolVersion
        options.evaluationProtocol = evaluationProtocol
        options.progress = progress
        return options
    }

    /// The saved evaluation when it was made with exactly `options`' key; otherwise nil and why it
    /// cannot be used (missing, or which setting differs). A file that is not a valid evaluation of
    /// this run throws.
    public func savedEvaluation(matching options: Evaluator.Options) throws -> (result: EvaluationResult?, reason: String) {
        guard let data = FileManager.default.contents(atPath: run.evaluation) else { return (nil, "no evaluation.json yet") }
        let saved = try EvaluationResult.decode(Array(data), path: run.evaluation, latent: config.model.latent)
        let wanted = options.key(testCount: dataset.test.count)
        let key = saved.key
        let differences = [
            key.epoch != wanted.epoch ? "epoch \(key.epoch), not \(wanted.epoch)" : nil,
            key.step != wanted.step ? "step \(key.step), not \(wanted.step)" : nil,
            key.testImages != wanted.testImages ? "\(key.testImages) test images, not \(wanted.testImages)" : nil,
            key.iwaeSamples != wanted.iwaeSamples ? "K = \(key.iwaeSamples), not \(wanted.iwaeSamples)" : nil,
            key.iwaeImages != wanted.iwaeImages && key.testImages == wanted.testImages ? "IWAE over \(key.iwaeImages) images, not \(wanted.iwaeImages)" : nil,
            key.binarization != wanted.binarization ? "binarisation \(key.binarization)" : nil,
            key.seed != wanted.seed ? "seed \(key.seed)" : nil,
            key.toolVersion != wanted.toolVersion ? "betavae \(key.toolVersion)" : nil,
            key.evaluationProtocol != wanted.evaluationProtocol ? "--protocol \(key.evaluationProtocol)" : nil,
        ].compactMap { $0 }
        return differences.isEmpty ? (saved, "") : (nil, "evaluation.json was made with " + differences.joined(separator: ", "))
    }

    /// Computes the evaluation and saves it as RUN/evaluation.json. The objective's own terms (and
    /// with them the objective's value) come from metrics.csv's test row of the epoch: the same
    /// pass over the test split, and FactorVAE's needs the discriminator, which only training loads.
    public func evaluateAndSave(options: Evaluator.Options) throws -> EvaluationResult {
        var result = Evaluator.evaluate(model: model, dataset: dataset, options: options)
        let names = config.objective.termNames
        if !names.isEmpty, let metrics = try? MetricsLog.read(path: run.metrics, latent: config.model.latent, termNames: names),
           let row = metrics.rows(split: "test").last(where: { $0.epoch == epoch }) {
            result.objectiveTerms = Dictionary(uniqueKeysWithValues: zip(names, row.terms))
            result.objective = config.objective.value(recon: result.test.recon, kl: result.test.kl, terms: row.terms, step: step)
        }
        do { try AtomicFile.write(result.encoded(), to: run.evaluation) } catch { throw TrainingError.io("\(error)") }
        return result
    }

    /// The saved evaluation when its key matches `options`, else a new one (computed and saved),
    /// after `announce` has said in one line why, how much work it is and how long it will take.
    public func evaluation(options: Evaluator.Options, announce: (String) -> Void) throws -> EvaluationResult {
        let (saved, reason) = try savedEvaluation(matching: options)
        if let saved { return saved }
        // It will be saved into the run: find out before the work that it cannot be (a read-only run).
        do { try OutputCheck.file(run.evaluation) } catch {
            throw TrainingError.io("\(error); its evaluation (\(reason)) must be computed and saved there: make the run writable or work on a copy")
        }
        announce("\(run.path): computing its evaluation (\(reason)): \(workSummary(options: options)); "
                 + "run 'betavae evaluate \(run.path)' beforehand to choose K")
        return try evaluateAndSave(options: options)
    }

    /// "IWAE with K = 100 over 500 test images, 80,000 encodes and 55,000 decodes, about 45 s": the
    /// evaluation's work and its time, priced by timing one batch (`EvaluationCost`).
    public func workSummary(options: Evaluator.Options) -> String {
        let key = options.key(testCount: dataset.test.count)
        let cost = EvaluationCost.measure(model: model, dataset: dataset, options: options)
        return "IWAE with K = \(key.iwaeSamples) over \(key.iwaeImages) test images, \(cost.encodes) encodes and \(cost.decodes) decodes, "
            + "\(cost.spoken) by a timed first batch"
    }
}
