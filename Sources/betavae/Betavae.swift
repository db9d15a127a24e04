import ArgumentParser
import Training
import Foundation

/// The betavae command line: argument parsing and wiring only.
@main
struct Betavae: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "betavae",
        abstract: "Train β-VAE models on a built-in CPU engine and report on them.",
        version: ToolVersion.string,
        subcommands: [TrainCommand.self, EvaluateCommand.self, ReportCommand.self, CompareCommand.self, SweepCommand.self, ScoreCommand.self, DatasetsCommand.self,
                      SweepTaskCommand.self, SweepFinishCommand.self, DecodeCommand.self,
                      StudyCommand.self, StudyTaskCommand.self, StudyFinishCommand.self, ImportCommand.self])

    /// Parses and runs like ArgumentParser's own `main`, except that a bad option ends in one line
    /// on stderr (`betavae: MESSAGE (see 'betavae COMMAND --help')`) and exit code 64, instead of
    /// the message, the usage and a hint on three lines.
    static func main() {
        // Before any thread exists, so that every thread inherits the mask (SignalWatcher says why).
        SignalWatcher.blockTerminationSignals()
        var command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exitForParsing(error)
        }
        do {
            try command.run()
        } catch {
            exit(withError: error)   // ExitCode from our commands (their line is already printed) or CleanExit
        }
    }

    private static func exitForParsing(_ error: Error) -> Never {
        let code = exitCode(for: error)
        if code == .success { exit(withError: error) }   // --help, --version
        let message = self.message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid arguments"
        let subcommand = CommandLine.arguments.dropFirst().first { !$0.hasPrefix("-") }
            .flatMap { name in configuration.subcommands.first { $0.configuration.commandName == name }.map { _ in name } }
        let help = "betavae " + (subcommand.map { $0 + " " } ?? "") + "--help"
        FileHandle.standardError.write(Data("betavae: \(message) (see '\(help)')\n".utf8))
        Foundation.exit(code.rawValue)
    }
}
