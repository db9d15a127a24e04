import ArgumentParser

/// The betavae command line: argument parsing and wiring only.
@main
struct Betavae: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "betavae",
        abstract: "Train β-VAE models on a built-in CPU engine and report on them.",
        version: ToolVersion.string,
        subcommands: [TrainCommand.self, EvaluateCommand.self, ReportCommand.self, CompareCommand.self, SweepCommand.self, DatasetsCommand.self])
}
