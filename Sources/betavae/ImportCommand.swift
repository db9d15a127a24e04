import ArgumentParser
import Datasets
import Foundation
import Models
import Training

/// `betavae import`: a run directory from weights trained elsewhere (docs/import.md).
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Make a run directory from a PyTorch state_dict saved with safetensors, so evaluate, report, compare and score work on it.",
        discussion: """
        --from names the repository the weights were trained with: betavae (this tool's names), yanndubs \
        (YannDubs/disentangling-vae's Burgess model, --model burgess), 1konny (1Konny/Beta-VAE's BetaVAE_B, --model burgess, or BetaVAE_H, --model conv64) \
        or disent (nmichlo/disent's EncoderConv64/DecoderConv64, --model dislib); scripts/save_*.py save each as safetensors. \
        The dataset, model, latent and objective options are those of 'betavae train'; training options (batch size, \
        learning rate, …) are refused. Bad weights (a missing tensor, a wrong shape, NaN, an unknown name) end in one line \
        naming the tensor, exit 1, and nothing written.
        """)

    @Argument(help: "The weights: a state_dict saved with safetensors.torch.save_file.")
    var weights: String
    @Option(help: "The repository the weights come from: betavae, yanndubs, 1konny or disent.")
    var from = WeightSource.betavae
    @Option(help: "A training log of the other repository (YannDubs' train_losses.log, or a metrics.csv), so the run has loss curves; its last epoch becomes the weights' epoch.")
    var metrics: String?
    @OptionGroup var options: TrainOptions
    @Option(help: "Run directory (default: runs/ and the weights file's name without .safetensors).")
    var out: String?
    @Flag(help: "Replace an existing run in --out (only once the import has succeeded).")
    var force = false

    func validate() throws {
        let d = try TrainOptions.parse([])
        let trainingOnly: [(String, Bool)] = [
            ("--batch-size", options.batchSize != d.batchSize), ("--lr", options.lr != d.lr), ("--clip-norm", options.clipNorm != nil),
            ("--snapshot-every", options.snapshotEvery != d.snapshotEvery), ("--keep-checkpoints", options.keepCheckpoints != nil),
            ("--conditional", options.conditional), ("--epochs", options.epochs != nil && metrics != nil),
        ]
        if let name = trainingOnly.first(where: { $0.1 })?.0 {
            throw ValidationError(name == "--epochs"
                ? "--epochs with --metrics: the log's last epoch is the weights' epoch; leave --epochs out"
                : "\(name) is a training option; import takes the dataset, model, latent and objective options only")
        }
        guard from.architectures.contains(options.model) else {
            throw ValidationError("--from \(from.rawValue) imports as --model \(from.architectures.map(\.rawValue).joined(separator: " or ")), "
                                  + "not \(options.model.rawValue)")
        }
    }

    func run() throws {
        try reportingErrors {
            try options.checkCombination()
            let stem = URL(fileURLWithPath: weights).deletingPathExtension().lastPathComponent
            let run = RunDirectory(out ?? "runs/" + stem)
            try RunTraining.checkFree(run, force: force)
            let dataset = try DatasetCatalog.load(options.dataset, options: options.datasetOptions)
            // The batch size matters only to a later `train --resume`; a small dataset keeps it within its size.
            var settings = options
            settings.batchSize = min(options.batchSize, dataset.train.count)
            var config = try settings.config(name: run.name, dataset: dataset)
            config.epochs = options.epochs ?? 1
            let imported = try ImportedWeights.read(path: weights, source: from, spec: config.model)
            let log = try metrics.map { path throws(TrainingError) in
                try ExternalTrainingLog.read(path: path, latent: config.model.latent, objective: config.objective)
            }
            let test = try RunImport.write(config, weights: imported, log: log, dataset: dataset, run: run, force: force,
                                           progress: TrainCommand.defaultProgress())
            if let test {
                print(String(format: "imported %@ into %@: test NELBO %.3f (recon %.3f, KL %.3f)", weights, run.path, test.nelbo, test.recon, test.kl))
            }
        }
    }
}

extension WeightSource: ExpressibleByArgument {}
