import Testing
@testable import Training

@Suite struct TrainingTimeEstimateTests {
    /// Steps of `images` images taking `seconds` each, with `imagesLeft` after every one; returns
    /// the step (1-based) that produced a line, and the line.
    private func run(steps: Int, images: Int, seconds: (Int) -> Double, imagesLeft: Int) -> (Int, String)? {
        var estimate = TrainingTimeEstimate()
        for step in 1...steps {
            if let line = estimate.record(images: images, seconds: seconds(step), imagesLeft: imagesLeft) { return (step, line) }
        }
        return nil
    }

    @Test func measuresAfterTheWarmupAndSpeaksOnce() throws {
        // Warm-up steps 100× slower must not count: 64 images per 0.01 s is 6,400 images/s, and
        // 6,400 × 3,600 images left is one hour.
        let found = try #require(run(steps: 100, images: 64, seconds: { $0 <= TrainingTimeEstimate.warmupSteps ? 1.0 : 0.01 },
                                     imagesLeft: 6_400 * 3_600))
        #expect(found.0 == TrainingTimeEstimate.warmupSteps + TrainingTimeEstimate.measuredSteps)
        #expect(found.1.hasPrefix("at 6400 images/s"))
        #expect(found.1.contains("about 1 h 00 min more"))
    }

    @Test func staysQuietForShortRuns() {
        // 6,400 images/s with 6,400 × 179 images left: under three minutes.
        #expect(run(steps: 100, images: 64, seconds: { _ in 0.01 }, imagesLeft: 6_400 * 179) == nil)
    }

    @Test func durationsReadAsAPersonWouldSayThem() {
        #expect(TrainingTimeEstimate.duration(200) == "3 min")
        #expect(TrainingTimeEstimate.duration(7_500) == "2 h 05 min")
        #expect(TrainingTimeEstimate.duration(3 * 86_400 + 4 * 3_600) == "3 days 4 h")
    }
}
