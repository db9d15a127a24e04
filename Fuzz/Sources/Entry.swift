#if FUZZING
// Built with -sanitize=fuzzer (see Fuzz/run.sh): libFuzzer calls LLVMFuzzerTestOneInput per input.
import Foundation

/// The target named by BETAVAE_FUZZ_TARGET, looked up once.
private let selected: FuzzTargets.Body = {
    let name = ProcessInfo.processInfo.environment["BETAVAE_FUZZ_TARGET"] ?? ""
    if name == "list" {   // Fuzz/run.sh asks the binary which targets it has
        print(FuzzTargets.names.joined(separator: "\n"))
        exit(0)
    }
    guard let body = FuzzTargets.body(name) else {
        let message = "fuzz: set BETAVAE_FUZZ_TARGET to one of \(FuzzTargets.names.joined(separator: ", ")) (got '\(name)')\n"
        FileHandle.standardError.write(message.data(using: .utf8)!)
        exit(2)
    }
    return body
}()

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    _ = selected   // fail at start-up, not on the first input, when the target is unknown
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : [UInt8](UnsafeBufferPointer(start: data, count: size))
    _ = try? selected(bytes)
    return 0
}

// SwiftPM links every executable on Linux with `--defsym main=<module>_main` (so tests can link
// executables), which leaves no room for libFuzzer's own `main`. So this module provides
// `fuzz_main` itself and hands over to libFuzzer's driver, which parses the usual flags and
// calls LLVMFuzzerInitialize, then fuzzOne per input. (Needs -enable-experimental-feature Extern.)
@_extern(c, "LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@_cdecl("fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var count = argc
    var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&count, &arguments, fuzzOne)
}

#else
// A normal build: `fuzz TARGET FILE|DIR...` replays inputs (a crash reproducer, a corpus) through
// one target and prints one line per file: its path, then `ok: <summary>` or `error: <message>`.
// A crash here is the finding itself. `fuzz list` prints the target names.
import Foundation

@main
struct Replay {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments == ["list"] {
            print(FuzzTargets.names.joined(separator: "\n"))
            return
        }
        if arguments.count == 3, arguments[0] == "seed", arguments[1] == "checkpoint" {   // the checkpoint target's seed
            do { try FuzzTargets.checkpointSeed(to: arguments[2]) } catch { print("\(arguments[2]): \(error)"); exit(1) }
            return
        }
        guard arguments.count >= 2, let body = FuzzTargets.body(arguments[0]) else {
            let usage = """
                usage: fuzz TARGET FILE|DIR...   replay each file (a directory: its files) through TARGET
                       fuzz list                 the target names
                targets: \(FuzzTargets.names.joined(separator: " "))
                Fuzzing itself needs the libFuzzer build: make fuzz (Fuzz/README.md).

                """
            FileHandle.standardError.write(usage.data(using: .utf8)!)
            exit(arguments == ["--help"] || arguments == ["-h"] ? 0 : 64)
        }
        var unreadable = false
        for path in arguments.dropFirst().flatMap(expand) {
            guard let data = FileManager.default.contents(atPath: path) else {
                print("\(path): unreadable")
                unreadable = true
                continue
            }
            do {
                print("\(path): ok: \(try body([UInt8](data)))")
            } catch {
                print("\(path): error: \(error)")
            }
        }
        exit(unreadable ? 1 : 0)
    }

    /// A directory's files (sorted, not recursive, no dot files), or the path itself.
    static func expand(_ path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.sorted().filter { !$0.hasPrefix(".") }.map { path + "/" + $0 }
    }
}
#endif
