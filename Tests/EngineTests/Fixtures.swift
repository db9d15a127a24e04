import Foundation

/// Paths of the committed fixtures (Tests/EngineTests/Fixtures, made by make_fixtures.py).
enum Fixture {
    static func path(_ name: String) -> String {
        guard let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil) else {
            return "missing-fixture/\(name)"
        }
        return url.path
    }

    /// A fresh temporary folder for one test.
    static func temporaryFolder() -> String {
        let path = NSTemporaryDirectory() + "betavae-test-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
