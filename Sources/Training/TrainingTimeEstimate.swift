/// How long the rest of a run will take at the rate its first steps measured, said once near its
/// start so that a user who asked for hours learns it before walking away (issue 24). The first
/// `warmupSteps` steps are left out of the rate: they include oneDNN's kernel generation and the
/// first touch of every buffer, and ran 2–5× slower than the steady state in `bench conv`.
struct TrainingTimeEstimate {
    /// Steps skipped before measuring, steps measured, and the least training time worth a line.
    static let warmupSteps = 5
    static let measuredSteps = 20
    static let minimumSeconds = 180.0

    private var stepsSeen = 0
    private var measured = (images: 0, seconds: 0.0)
    private(set) var announced = false

    /// Adds one step; returns the line to print once `measuredSteps` steps after the warm-up have
    /// been timed and the images still to train (`imagesLeft`) would take at least `minimumSeconds`.
    mutating func record(images: Int, seconds: Double, imagesLeft: Int) -> String? {
        guard !announced else { return nil }
        stepsSeen += 1
        guard stepsSeen > Self.warmupSteps else { return nil }
        measured.images += images
        measured.seconds += seconds
        guard stepsSeen >= Self.warmupSteps + Self.measuredSteps else { return nil }
        announced = true
        let rate = Double(measured.images) / max(measured.seconds, 1e-9)
        let secondsLeft = Double(imagesLeft) / rate
        guard secondsLeft >= Self.minimumSeconds else { return nil }
        return "at \(Int(rate.rounded())) images/s (measured over \(Self.measuredSteps) steps) training will take about "
            + Self.duration(secondsLeft) + " more (evaluation and report not included)"
    }

    /// "2 h 05 min", "14 min", "3 days 4 h".
    static func duration(_ seconds: Double) -> String {
        let minutes = Int((seconds / 60).rounded())
        if minutes < 60 { return "\(max(minutes, 1)) min" }
        let hours = minutes / 60
        if hours < 48 { return "\(hours) h " + (minutes % 60 < 10 ? "0" : "") + "\(minutes % 60) min" }
        return "\(hours / 24) days \(hours % 24) h"
    }
}
