import ArgumentParser
import Datasets
import Foundation
import Models
import Training

/// The options of `train` (and `sweep`): data, model, objective, optimisation.
struct TrainOptions: ParsableArguments {
    @Option(help: "Dataset: fashion-mnist, mnist, sprites, idx:DIR, dsprites:PATH, images:DIR, shapes3d, mpi3d-toy, mpi3d-realistic, mpi3d-real, smallnorb, cars3d, color-dsprites, noisy-dsprites, scream-dsprites (see 'betavae datasets').")
    var dataset = "fashion-mnist"
    @Option(help: "Folder with the dataset's files for mnist and the benchmarks (default $BETAVAE_DATA/NAME, e.g. $BETAVAE_DATA/mpi3d).")
    var dataDir: String?
    @Option(help: "The picture (PNG) scream-dsprites crops its backgrounds from.")
    var background: String?
    @Option(help: "Train on the first N training images only (default: all).")
    var limit: Int?
    @Option(help: "Evaluate on the first N test images only (default: all).")
    var testLimit: Int?
    @Option(help: "Binarisation of grey levels: none, fixed (x > 0.5) or dynamic (Bernoulli draw per epoch).")
    var binarize = Binarization.none
    @Option(help: "Channels for images:DIR: 3 (RGB) or 1 (grey).")
    var channels = 3

    @Option(help: "Architecture: mlp (pytorch/examples VAE), conv28 (28×28 images), burgess (64×64 images), dislib (disentanglement_lib's conv VAE, 64×64), conv64 (1Konny's BetaVAE_H, 64×64).")
    var model = Architecture.mlp
    @Option(help: "Hidden layer sizes of the mlp, comma-separated (e.g. 1200,1200 for Higgins' dSprites MLP).")
    var hidden = "400"
    @Option(help: "Latent dimensions Z (1…\(ModelSpec.latentLimit)).")
    var latent = 20
    @Flag(help: "Conditional VAE: the one-hot label joins the encoder's and the decoder's input.")
    var conditional = false

    @Option(help: "Objective: beta (recon + β·KL), capacity (recon + γ·|KL − C|, Burgess et al. 2018), tcvae (β-TCVAE, Chen et al. 2018), factorvae (Kim & Mnih 2018), dipvae-i or dipvae-ii (Kumar et al. 2018).")
    var objective = ObjectiveKind.beta
    @Option(help: "β of the beta objective (β = 1 is the VAE; 0…1,000,000, so the single-precision loss cannot overflow).")
    var beta = 1.0
    @Flag(help: "A plain autoencoder: z = μ and no KL term.")
    var deterministic = false
    @Option(help: "γ of the capacity objective (default 1000) or of FactorVAE's total correlation (default 40); 0…1,000,000.")
    var gamma: Double?
    @Option(help: "Capacity C at step 0, in nats (0…1,000,000).")
    var capacityStart = 0.0
    @Option(help: "Capacity C reached after --capacity-steps steps, in nats (0…1,000,000).")
    var capacityMax = 25.0
    @Option(help: "Steps over which C rises linearly.")
    var capacitySteps = 100_000
    @Option(help: "Likelihood: bernoulli or gaussian (default: bernoulli, gaussian for RGB images).")
    var likelihood: Likelihood?
    @OptionGroup var objectives: ObjectiveOptions

    @Option(help: "Epochs to train (default 20; with --resume, the run's own; at most \(RunConfig.epochLimit)).")
    var epochs: Int?
    @Option(help: "Train for N optimiser steps instead of whole epochs (the last epoch may stop part-way); recorded in config.json; with --resume, the run's new length (at most \(RunConfig.stepLimit)).")
    var steps: Int?
    @Option(help: "Images per step.")
    var batchSize = 128
    @Option(help: "Adam learning rate.")
    var lr = 1e-3
    @Option(help: "Clip the global gradient norm to this value (default: no clipping).")
    var clipNorm: Double?
    @Option(help: "Seed of every random choice (initialisation, shuffling, noise).")
    var seed: UInt64 = 0
    @Option(help: "Save a snapshot (test means, reconstructions) every N epochs; epoch 0 and the last always.")
    var snapshotEvery = 5
    @Option(help: ArgumentHelp("Keep the checkpoints of the newest N epochs (1…\(RunConfig.keepCheckpointsLimit)) and delete older ones as training goes.",
                               discussion: "By default a run keeps the checkpoints of its snapshot epochs (0, every --snapshot-every, the last), "
                                   + "whose weights match the figures drawn from their snapshots, and of the newest epoch; checkpoints/latest.safetensors "
                                   + "is always kept. Each checkpoint holds the weights and Adam's moments (8 MB for the default MLP). "
                                   + "Recorded in config.json; with --resume it may be changed."))
    var keepCheckpoints: Int?
    @Option(help: "Engine threads: sgemm, convolutions, large element-wise passes (default: the number of cores; at most \(RunConfig.threadLimit)).")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    /// Every option checked on its own, before anything is read or written; what depends on the
    /// data (the image size, the number of images and labels) is checked in `config(name:dataset:)`.
    func validate() throws {
        for (name, value) in [("--beta", beta), ("--lr", lr), ("--gamma", gamma ?? 0), ("--capacity-start", capacityStart),
                              ("--capacity-max", capacityMax), ("--clip-norm", clipNorm ?? 1)] where !value.isFinite {
            throw ValidationError("\(name) must be a finite number, not \(value)")
        }
        guard beta >= 0 else { throw ValidationError("--beta must be ≥ 0, not \(beta)") }
        // Upper bounds that keep the Float32 loss finite (Objective.weightLimit says why).
        for (name, value, limit) in [("--beta", beta, Objective.weightLimit), ("--gamma", gamma ?? 0, Objective.weightLimit),
                                     ("--capacity-start", capacityStart, Objective.capacityLimit),
                                     ("--capacity-max", capacityMax, Objective.capacityLimit)] {
            if value >= 0, let problem = Objective.weightProblem(name, value, limit: limit) { throw ValidationError(problem) }
        }
        guard (1...ModelSpec.latentLimit).contains(latent) else {
            throw ValidationError("--latent must be 1…\(ModelSpec.latentLimit), not \(latent)")
        }
        guard (1...RunConfig.batchLimit).contains(batchSize) else {
            throw ValidationError("--batch-size must be 1…\(RunConfig.batchLimit), not \(batchSize)")
        }
        guard lr > 0 else { throw ValidationError("--lr must be positive, not \(lr)") }
        if let epochs, !(1...RunConfig.epochLimit).contains(epochs) {
            throw ValidationError("--epochs must be 1…\(RunConfig.epochLimit), not \(epochs)")
        }
        if let steps, !(1...RunConfig.stepLimit).contains(steps) {
            throw ValidationError("--steps must be 1…\(RunConfig.stepLimit), not \(steps)")
        }
        if epochs != nil && steps != nil { throw ValidationError("--epochs and --steps both set the training length; give one") }
        guard snapshotEvery > 0 else { throw ValidationError("--snapshot-every must be positive, not \(snapshotEvery)") }
        if let keepCheckpoints, let problem = RunConfig.keepCheckpointsProblem(keepCheckpoints) {
            throw ValidationError("--keep-checkpoints " + problem)
        }
        guard (1...RunConfig.threadLimit).contains(threads) else {
            throw ValidationError("--threads must be 1…\(RunConfig.threadLimit), not \(threads)")
        }
        guard gamma ?? 0 >= 0, capacityStart >= 0, capacityMax >= 0, capacitySteps >= 0 else {
            throw ValidationError("--gamma, --capacity-start, --capacity-max and --capacity-steps must be ≥ 0")
        }
        if let clipNorm, clipNorm <= 0 { throw ValidationError("--clip-norm must be positive, not \(clipNorm)") }
        if let limit, limit <= 0 { throw ValidationError("--limit must be positive, not \(limit)") }
        if let testLimit, testLimit <= 0 { throw ValidationError("--test-limit must be positive, not \(testLimit)") }
        guard channels == 1 || channels == 3 else { throw ValidationError("--channels must be 1 or 3, not \(channels)") }
        guard parsedHidden != nil else {
            throw ValidationError("--hidden must be sizes 1…\(ModelSpec.hiddenLimit) separated by commas, not '\(hidden)'")
        }
    }

    /// Options that contradict each other or do nothing for this model are refused, not ignored.
    func checkCombination() throws {
        let d = try TrainOptions.parse([])
        if deterministic {
            if beta != d.beta { throw ValidationError("--beta with --deterministic: an autoencoder has no KL term to weigh; leave one out") }
            if objective != .beta { throw ValidationError("--objective \(objective.rawValue) with --deterministic: an autoencoder has no KL term; leave one out") }
        }
        if objective != .capacity {
            let capacityOptions = [("--gamma", gamma != nil && objective != .factorvae), ("--capacity-start", capacityStart != d.capacityStart),
                                   ("--capacity-max", capacityMax != d.capacityMax), ("--capacity-steps", capacitySteps != d.capacitySteps)]
            if let name = capacityOptions.first(where: { $0.1 })?.0 {
                throw ValidationError("\(name) applies only with --objective capacity" + (name == "--gamma" ? " or factorvae" : ""))
            }
        }
        if objective == .capacity && beta != d.beta {
            throw ValidationError("--beta with --objective capacity: the capacity objective weighs |KL − C| by --gamma; leave --beta out")
        }
        if objective != .beta && objective != .capacity && beta != d.beta {
            throw ValidationError("--beta applies only with --objective beta (\(objective.rawValue) has its own weights; see 'betavae train --help')")
        }
        try objectives.checkCombination(objective: objective, learningRate: lr)
        if model != .mlp && hidden != d.hidden { throw ValidationError("--hidden applies only to --model mlp (\(model.rawValue) has fixed layers)") }
        if channels != d.channels && !dataset.hasPrefix("images:") { throw ValidationError("--channels applies only to images:DIR datasets") }
        let readsFolder = dataset == "mnist" || BenchmarkDatasets.entries.contains { $0.name == dataset }
        if dataDir != nil && !readsFolder { throw ValidationError("--data-dir applies only to mnist and the benchmark datasets (see 'betavae datasets')") }
        if background != nil && dataset != DSpritesVariant.scream.rawValue { throw ValidationError("--background applies only to --dataset scream-dsprites") }
    }

    /// With --resume the run's config.json fixes every setting but the number of epochs, the
    /// learning rate and the checkpoints kept: any other option given is refused (silently dropping it would train something
    /// other than what was asked).
    func checkResumable() throws {
        let d = try TrainOptions.parse([])
        let changed: [(String, Bool)] = [
            ("--dataset", dataset != d.dataset), ("--data-dir", dataDir != nil), ("--background", background != nil), ("--limit", limit != nil), ("--test-limit", testLimit != nil),
            ("--binarize", binarize != d.binarize), ("--channels", channels != d.channels), ("--model", model != d.model),
            ("--hidden", hidden != d.hidden), ("--latent", latent != d.latent), ("--conditional", conditional),
            ("--objective", objective != d.objective), ("--beta", beta != d.beta), ("--deterministic", deterministic),
            ("--gamma", gamma != nil), ("--capacity-start", capacityStart != d.capacityStart),
            ("--capacity-max", capacityMax != d.capacityMax), ("--capacity-steps", capacitySteps != d.capacitySteps),
            ("--likelihood", likelihood != nil), ("--batch-size", batchSize != d.batchSize), ("--clip-norm", clipNorm != nil),
            ("--seed", seed != d.seed), ("--snapshot-every", snapshotEvery != d.snapshotEvery), ("--threads", threads != d.threads),
        ] + objectives.changedFromDefaults
        if let name = changed.first(where: { $0.1 })?.0 {
            throw ValidationError("\(name) cannot change when resuming (the run's config.json fixes it); with --resume give only --epochs or --steps, --lr and --keep-checkpoints")
        }
    }

    /// The learning rate when --lr was given a value other than the default (applied on resume).
    var changedLearningRate: Double? { lr != 1e-3 ? lr : nil }

    /// The hidden sizes, or nil when any item is empty, not a whole number or out of range.
    var parsedHidden: [Int]? {
        let sizes = hidden.split(separator: ",", omittingEmptySubsequences: false)
            .map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard sizes.allSatisfy({ (1...ModelSpec.hiddenLimit).contains($0 ?? 0) }) else { return nil }
        return sizes.compactMap { $0 }
    }

    var parsedObjective: Objective {
        if deterministic { return .deterministic }
        return objectives.objective(objective, beta: beta, gamma: gamma, capacity: (capacityStart, capacityMax, capacitySteps))
    }

    var datasetOptions: DatasetOptions {
        var options = DatasetOptions(dataDirectory: dataDir, limit: limit, testLimit: testLimit, seed: seed)
        options.channels = channels
        options.background = background
        return options
    }

    /// What the loaded data depends on: runs with the same key can share one loaded dataset.
    var dataKey: String {
        [dataset, dataDir ?? "", background ?? "", limit.map(String.init) ?? "", testLimit.map(String.init) ?? "", "\(channels)", "\(seed)"].joined(separator: "|")
    }

    /// A run name that says what the run is: dataset, model, the objective and its weight, seed.
    var defaultRunName: String {
        let data = dataset.split(separator: ":").first.map(String.init) ?? dataset
        return "\(data)-\(model.rawValue)-\(parsedObjective.namePart)" + (conditional ? "-cvae" : "") + "-seed\(seed)"
    }

    static func compact(_ value: Double) -> String { compactNumber(value) }

    /// The run's configuration for `dataset` (which fills in sizes and class names), refused with
    /// exit code 64 when the options do not fit the data.
    func config(name: String, dataset: Dataset) throws -> RunConfig {
        guard batchSize <= dataset.train.count else {
            throw fail("--batch-size \(batchSize) is larger than the \(dataset.train.count) training images", code: 64)
        }
        if conditional && dataset.train.classCount < 2 {
            throw fail("--conditional needs labelled data; \(dataset.name) has no labels", code: 64)
        }
        let spec = ModelSpec(architecture: model, imageShape: dataset.imageShape, hidden: parsedHidden ?? [400],
                             latent: latent, conditionClasses: conditional ? dataset.train.classCount : 0,
                             likelihood: likelihood ?? Likelihood(rawValue: dataset.defaultLikelihood) ?? .bernoulli)
        // A length in steps fixes the epochs it spans; whole epochs fix the steps.
        let runEpochs = steps.map { RunConfig.epochs(steps: $0, trainCount: dataset.train.count, batchSize: batchSize) } ?? epochs ?? 20
        let totalSteps = steps ?? runEpochs * RunConfig.batchesPerEpoch(trainCount: dataset.train.count, batchSize: batchSize)
        var config = RunConfig(toolVersion: ToolVersion.string, name: name, dataset: dataset.name, dataDirectory: dataDir, limit: limit,
                               testLimit: testLimit, binarize: binarize.rawValue, channels: channels, model: spec, objective: parsedObjective,
                               epochs: runEpochs, batchSize: batchSize, learningRate: lr, clipNorm: clipNorm, seed: seed,
                               snapshotEvery: snapshotEvery, keepCheckpoints: keepCheckpoints, threads: threads, trainCount: dataset.train.count,
                               testCount: dataset.test.count, classNames: dataset.classNames, datasetSource: dataset.source,
                               learningRateSchedule: objectives.schedule(totalSteps: totalSteps), steps: steps)
        config.background = background
        if let steps, runEpochs > RunConfig.epochLimit {
            throw fail("--steps \(steps) spans \(runEpochs) epochs of \(dataset.train.count) images, more than \(RunConfig.epochLimit); give fewer steps", code: 64)
        }
        if case .tcvae(let s) = parsedObjective, s.sampling == .stratified, batchSize < 2 {
            throw fail("--tc-sampling stratified needs --batch-size 2 or more (one image is the batch's own, another the stratum's)", code: 64)
        }
        if let problem = spec.problem ?? config.problem { throw fail(problem, code: 64) }
        return config
    }
}

extension Architecture: ExpressibleByArgument {}
extension Likelihood: ExpressibleByArgument {}
extension Binarization: ExpressibleByArgument {}
