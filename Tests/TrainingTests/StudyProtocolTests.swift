import Analysis
import Foundation
import Testing
import Training

/// Which sample sizes a study's runs are evaluated with: disentanglement_lib's unless the study
/// was given `--protocol quick`, and `quick` for a study.json written before the option existed
/// (its runs were evaluated with quick sizes, and reusing them must not recompute every run).
struct StudyProtocolTests {
    @Test func aNewStudyUsesDlibsSizesAndAnOldPlanQuick() throws {
        #expect(StudyPlan.Evaluation().scoreProtocol == .dlib)
        #expect(StudyPlan.Evaluation(evaluationProtocol: .quick).scoreProtocol == .quick)
        let old = Data(#"{"iwaeSamples": 50, "iwaeImages": 200}"#.utf8)
        let decoded = try JSONDecoder().decode(StudyPlan.Evaluation.self, from: old)
        #expect(decoded.evaluationProtocol == nil && decoded.scoreProtocol == .quick && decoded.iwaeSamples == 50)
        let written = try JSONEncoder().encode(StudyPlan.Evaluation(iwaeImages: 20))
        #expect(try JSONDecoder().decode(StudyPlan.Evaluation.self, from: written).scoreProtocol == .dlib)
    }
}
