import ArgumentParser
import Datasets
import Foundation
import Training

/// Prints one clear line on stderr and exits non-zero: the way every error a user can cause ends.
/// Line breaks inside `message` (from a library's description) are folded so it stays one line.
func fail(_ message: String, code: Int32 = 1) -> ExitCode {
    let line = message.split(whereSeparator: \.isNewline).joined(separator: " ")
    FileHandle.standardError.write(Data(("betavae: " + line + "\n").utf8))
    return ExitCode(code)
}

/// Runs `body`, turning any thrown error into one line on stderr: exit code 64 for errors in the
/// options (a validation error, an unknown dataset name, a setting the data refuses), 1 for
/// everything about files.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ExitCode {
        throw error
    } catch let error as ValidationError {
        throw fail(error.message, code: 64)
    } catch let error as DatasetError {
        switch error {
        case .unknownDataset, .invalidOption: throw fail(error.description, code: 64)
        default: throw fail(error.description)
        }
    } catch let error as TrainingError {
        if case .invalidOption = error { throw fail(error.description, code: 64) }
        throw fail(error.description)
    } catch {
        throw fail(String(describing: error))
    }
}
