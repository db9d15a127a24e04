@testable import Report
import Testing

/// The report's subtitle names how long the run trained: in steps (with its epochs) for a run
/// trained with `--steps`, which used to read "1 epochs" for a 300-step run.
struct TrainedLengthTests {
    @Test func stepsRunsNameTheirStepsAndEpochsAgreeInNumber() {
        #expect(RunReport.trainedLength(epochs: 1, steps: 300, countedInSteps: true) == "300 steps (1 epoch)")
        #expect(RunReport.trainedLength(epochs: 2, steps: 1000, countedInSteps: true) == "1000 steps (2 epochs)")
        #expect(RunReport.trainedLength(epochs: 1, steps: 1, countedInSteps: true) == "1 step (1 epoch)")
        #expect(RunReport.trainedLength(epochs: 1, steps: 469, countedInSteps: false) == "1 epoch")
        #expect(RunReport.trainedLength(epochs: 20, steps: 9380, countedInSteps: false) == "20 epochs")
    }
}
