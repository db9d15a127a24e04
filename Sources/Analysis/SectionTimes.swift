import Foundation

/// Wall-clock seconds of the named sections of a computation: the `seconds` that evaluations and
/// score cards report, so a reader sees where the time went.
struct SectionTimes {
    private(set) var seconds: [String: Double] = [:]

    /// Runs `body`, adding its seconds under `name`.
    mutating func measure<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        let start = Date()
        defer { seconds[name, default: 0] += Date().timeIntervalSince(start) }
        return try body()
    }
}
