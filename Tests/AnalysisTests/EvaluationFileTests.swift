import Foundation
import Testing
@testable import Analysis

/// evaluation.json as it comes from disk, checked against the run's latent size.
struct EvaluationFileTests {
    static let path = "runs/x/evaluation.json"

    static func result() -> EvaluationResult {
        let usage = try! JSONDecoder().decode(LatentUsage.self, from: Data("""
            {"klPerDimension": [1.5, 0.01, 2.0], "meanVariance": [0.9, 0.0, 1.1], "activeUnits": [0, 2]}
            """.utf8))
        let key = EvaluationKey(epoch: 2, step: 20, testImages: 100, iwaeSamples: 10, binarization: "none", seed: 5, toolVersion: "test")
        return EvaluationResult(key: key, test: LikelihoodEstimate(nelbo: 100, recon: 90, kl: 10, iwaeNLL: 98, iwaeStandardError: 0.5,
                                                                   samples: 10, images: 100),
                                objective: 100, usage: usage, knnAccuracy: 0.8, knnChance: 0.1,
                                disentanglement: DisentanglementScores(betaVAE: 0.7, factorVAE: 0.6, mig: 0.1,
                                                                       mutualInformation: [[0.1, 0.2], [0, 0], [0.3, 0.1]],
                                                                       factorNames: ["a", "b"], gaussianTotalCorrelation: 0.2, seconds: [:]),
                                seconds: [:])
    }

    static func error(_ reason: String) -> EvaluationFileError { EvaluationFileError(path: path, reason: reason) }

    @Test func validResultRoundTrips() throws {
        #expect(try EvaluationResult.decode(Self.result().encoded(), path: Self.path, latent: 3) == Self.result())
    }

    /// An evaluation.json saved before the IWAE's own image count and ELBO were recorded computed the
    /// bound on every test image: it reads with iwaeImages = testImages and the gap to the whole NELBO.
    @Test func evaluationsSavedBeforeIWAEImagesStillRead() throws {
        var json = try JSONSerialization.jsonObject(with: Data(Self.result().encoded())) as! [String: Any]
        var key = json["key"] as! [String: Any]
        key.removeValue(forKey: "iwaeImages")
        json["key"] = key
        let old = try EvaluationResult.decode(Array(JSONSerialization.data(withJSONObject: json)), path: Self.path, latent: 3)
        #expect(old.key.iwaeImages == 100 && old.test.iwaeELBO == nil && old.test.iwaeGap == 2)
        var subset = Self.result()
        subset.key.iwaeImages = 40
        subset.test.iwaeELBO = 99.5
        let read = try EvaluationResult.decode(subset.encoded(), path: Self.path, latent: 3)
        #expect(read.key.iwaeImages == 40 && read.test.iwaeGap == 1.5)
        subset.key.iwaeImages = 101
        #expect(throws: Self.error("its IWAE images must be 1…100, the test images")) {
            _ = try EvaluationResult.decode(subset.encoded(), path: Self.path, latent: 3)
        }
    }

    @Test func malformedResultsAreRefusedByName() {
        func bytes(_ change: (inout EvaluationResult) -> Void) -> [UInt8] {
            var r = Self.result()
            change(&r)
            return r.encoded()
        }
        #expect(throws: Self.error("has 3 latent dimensions, the run's model 4")) {
            _ = try EvaluationResult.decode(bytes { _ in }, path: Self.path, latent: 4)
        }
        #expect(throws: Self.error("has 2 latent dimensions, the run's model 3")) {
            _ = try EvaluationResult.decode(bytes { $0.usage.klPerDimension.removeLast() }, path: Self.path, latent: 3)
        }
        #expect(throws: Self.error("its active units are not distinct dimensions 0…2")) {
            _ = try EvaluationResult.decode(bytes { $0.usage.activeUnits = [0, 7] }, path: Self.path, latent: 3)
        }
        #expect(throws: Self.error("its active units are not distinct dimensions 0…2")) {
            _ = try EvaluationResult.decode(bytes { $0.usage.activeUnits = [-1] }, path: Self.path, latent: 3)
        }
        #expect(throws: Self.error("its mutual-information matrix is not 3 rows of one value per factor")) {
            _ = try EvaluationResult.decode(bytes { $0.disentanglement?.mutualInformation[1] = [0] }, path: Self.path, latent: 3)
        }
        // A dataset without factors (an unlabeled image folder): the writer's empty matrix reads
        // back (issue 25: the reader wanted one row per latent); rows without factor names do not.
        let noFactors = bytes { $0.disentanglement?.mutualInformation = []; $0.disentanglement?.factorNames = [] }
        let decoded = try? EvaluationResult.decode(noFactors, path: Self.path, latent: 3)
        #expect(decoded != nil && decoded?.disentanglement?.hasFactors == false)
        #expect(throws: Self.error("its mutual-information matrix has rows but it names no factors")) {
            _ = try EvaluationResult.decode(bytes { $0.disentanglement?.factorNames = [] }, path: Self.path, latent: 3)
        }
        #expect(throws: Self.error("its sample and image counts must be positive")) {
            _ = try EvaluationResult.decode(bytes { $0.test.samples = 0 }, path: Self.path, latent: 3)
        }
        #expect(throws: Self.error("not a betavae evaluation.json of this version")) {
            _ = try EvaluationResult.decode(Array("{\"epoch\": 1}".utf8), path: Self.path, latent: 3)
        }
        // JSON has no NaN; a value that overflows Double decodes as an error, so a non-finite number
        // cannot arrive from the file. The check still guards values built in memory.
        var nan = Self.result()
        nan.test.iwaeNLL = .nan
        #expect(nan.problem(latent: 3) == "holds a number that is not finite")
        // The details the report prints beside each score are checked too.
        let details = ScoreDetails(source: "s", repeats: 3, sampleSizes: ["bins": 20], settings: [:], spread: ["mig": 0.01],
                                   accuracies: ["beta_vae": ClassifierAccuracy(train: 0.9, evaluation: 0.8)], sampled: [:], sampledSpread: [:])
        var detailed = Self.result()
        detailed.disentanglement?.details = details
        #expect(detailed.problem(latent: 3) == nil)
        detailed.disentanglement?.details?.spread["mig"] = .infinity
        #expect(detailed.problem(latent: 3) == "holds a number that is not finite")
        #expect(throws: Self.error("its disentanglement details need a positive number of repeats and sample sizes")) {
            _ = try EvaluationResult.decode(bytes { $0.disentanglement?.details = details; $0.disentanglement?.details?.repeats = 0 },
                                            path: Self.path, latent: 3)
        }
    }
}
