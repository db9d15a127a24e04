import Foundation
@testable import Datasets

enum Fixture {
    static func path(_ name: String) -> String {
        Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil)?.path ?? "missing-fixture/\(name)"
    }

    static func temporaryFolder() -> String {
        let path = NSTemporaryDirectory() + "betavae-test-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func write(_ bytes: [UInt8], _ path: String) {
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
    }

    /// IDX bytes: magic 0x0000080D, big-endian dims, payload.
    static func idx(rank: Int, dims: [Int], payload: [UInt8]) -> [UInt8] {
        func be(_ v: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8((v >> $0) & 0xFF) } }
        return be(0x0800 + rank) + dims.flatMap(be) + payload
    }

    /// The error `body` throws, as a DatasetError.
    static func error(_ body: () throws -> Void) -> DatasetError? {
        do { try body(); return nil } catch let error as DatasetError { return error } catch { return nil }
    }
}
