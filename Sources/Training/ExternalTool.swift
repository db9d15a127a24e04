import Dispatch
import Foundation

/// Finding and running the Slurm client commands (Foundation.Process, no shell).
public enum Tool {
    public struct Result: Sendable { public var status: Int32; public var stdout: String; public var stderr: String }

    /// The executable `name` on $PATH, or nil.
    public static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    public static func run(_ executable: String, _ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read stderr on another thread so neither pipe can fill up and block the tool.
        let errorData = UncheckedSendableBox(ErrorCollector())
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { errorData.value.data = err.fileHandleForReading.readDataToEndOfFile() }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: errorData.value.data, as: UTF8.self))
    }

    final class ErrorCollector: @unchecked Sendable { var data = Data() }
}
