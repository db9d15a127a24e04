import Testing
@testable import Report

/// The study page reads scores by key from evaluation.json: the keys are disentanglement_lib's
/// snake-case names of the evaluator's fields, whatever fields a later evaluator adds.
@Suite struct StudyResultsTests {
    @Test func fieldNamesBecomeSnakeCaseScoreKeys() {
        #expect(StudyResults.snakeCase("betaVAE") == "beta_vae")
        #expect(StudyResults.snakeCase("factorVAE") == "factor_vae")
        #expect(StudyResults.snakeCase("dciDisentanglement") == "dci_disentanglement")
        #expect(StudyResults.snakeCase("gaussianTotalCorrelation") == "gaussian_total_correlation")
        #expect(StudyResults.snakeCase("mig") == "mig")
        #expect(StudyResults.snakeCase("irs") == "irs")
    }

    @Test func knownKeysGetTheirTitlesAndNewOnesAReadableName() {
        #expect(StudyResults.title("dci_disentanglement") == "DCI disentanglement")
        #expect(StudyResults.title("mig") == "MIG")
        #expect(StudyResults.title("reconstruction") == "reconstruction (nats)")
        #expect(StudyResults.title("unsupervised_udr") == "unsupervised udr")
    }
}
