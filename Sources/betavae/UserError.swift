import ArgumentParser
import Foundation

/// Prints one clear line on stderr and exits non-zero: the way every error a user can cause ends.
func fail(_ message: String, code: Int32 = 1) -> ExitCode {
    FileHandle.standardError.write(Data(("betavae: " + message + "\n").utf8))
    return ExitCode(code)
}

/// Runs `body`, turning any thrown error into one line on stderr and exit code 1
/// (argument errors are ArgumentParser's: exit code 64).
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ExitCode {
        throw error
    } catch let error as ValidationError {
        throw error
    } catch {
        throw fail(String(describing: error))
    }
}
