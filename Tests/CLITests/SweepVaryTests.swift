import Foundation
import Testing
import Training
@testable import betavae

/// `sweep --vary KEY=V1,V2,…`: any train option as an axis of the sweep's grid, refused values,
/// run names, and a sweep started again over runs that are finished or stopped part-way.
@Suite(.serialized) struct SweepVaryTests {
    @Test(arguments: [
        (["--vary", "latent=2,2"], "--vary latent names 2 twice; give each value once"),
        (["--vary", "lr=0.001,1e-3"], "--vary lr names 0.001 twice (0.001 and 1e-3); give each value once"),
        (["--vary", "capacity-max=10,10.0", "--objective", "capacity"], "--vary capacity-max names 10.0 twice (10 and 10.0)"),
        (["--vary", "nosuch=1,2"], "--vary nosuch: not an option of train; one of dataset,"),
        (["--vary", "beta=1,2"], "--vary beta: a sweep takes β from --betas"),
        (["--vary", "seed=1,2"], "--vary seed: a sweep takes its seeds from --seeds"),
        (["--vary", "latent"], "--vary must be KEY=V1,V2,… naming a train option"),
        (["--vary", "latent=2,,3"], "--vary latent must be values separated by single commas"),
        (["--vary", "latent=0,2"], "--vary latent=0: --latent must be 1…1024, not 0"),
        (["--vary", "latent=2", "--vary", "latent=3"], "--vary names latent twice"),
        (["--latent", "3", "--vary", "latent=2,4"], "--latent and --vary latent: the sweep takes latent from --vary"),
        (["--vary", "conditional=yes"], "--vary conditional: a flag takes true or false, not 'yes'"),
        (["--vary", "model=mlp,nosuch"], "--vary model=nosuch: "),
        (["--objective", "capacity", "--betas", "1,2"], "--betas: --objective capacity has no β; leave --betas out"),
    ])
    func badVaryIsOneLineAndWritesNothing(extra: [String], message: String) throws {
        let folder = NSTemporaryDirectory() + "betavae-vary-\(UUID().uuidString)"
        let result = try CLITests.run(["sweep", "--out", folder + "/sw", "--epochs", "1"] + extra)
        #expect(result.status == 64, "\(extra): \(result.stderr)")
        #expect(result.stderr.hasPrefix("betavae: ") && result.stderr.contains(message), "\(extra): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: folder), "\(extra) wrote something")
    }

    /// Train options written back as arguments parse to the same options, for every option (read
    /// from the parsed properties, so an option added later is covered), and under the names help shows.
    @Test func trainOptionsRoundTripThroughTheirArguments() throws {
        let given = ["--dataset", "sprites", "--limit", "500", "--binarize", "fixed", "--model", "burgess", "--latent", "7", "--conditional",
                     "--objective", "capacity", "--gamma", "250.5", "--capacity-max", "1e1", "--likelihood", "gaussian", "--epochs", "3",
                     "--lr", "0.0005", "--clip-norm", "2", "--seed", "9", "--threads", "1"]
        let options = try TrainOptions.parse(given)
        let written = OptionArguments(options)
        #expect(written.settings.count >= 25)
        #expect(written.value(of: "capacity-max") == "10.0" && written.value(of: "lr") == "0.0005" && written.value(of: "model") == "burgess")
        #expect(written.value(of: "conditional") == "true" && written.value(of: "deterministic") == "false")
        #expect(written.value(of: "test-limit") == .some(nil))
        #expect(OptionArguments(try TrainOptions.parse(written.arguments)) == written)
        let help = TrainOptions.helpMessage(columns: 400)
        for name in written.settings.map(\.name) { #expect(help.contains("--" + name), "help has no --\(name)") }
        #expect(written.replacing("latent", with: "11").arguments.split(separator: "--latent").count == 2)
    }

    /// The grid: β outermost, then each --vary axis in order, seeds innermost; names say every
    /// varied value; an objective without β takes one run per combination.
    @Test func gridOrderAndNames() throws {
        let base = try TrainOptions.parse([])
        let axes = try SweepGrid.axes(["latent=2,3", "lr=5e-4"], base: base)
        #expect(axes == [SweepAxis(key: "latent", values: ["2", "3"]), SweepAxis(key: "lr", values: ["0.0005"])])
        let points = try SweepGrid.points(base: base, axes: axes, betas: [1, 4], seeds: [0, 1])
        #expect(points.map(\.suffix) == ["-beta1-latent2-lr0.0005-seed0", "-beta1-latent2-lr0.0005-seed1", "-beta4-latent2-lr0.0005-seed0",
                                         "-beta4-latent2-lr0.0005-seed1", "-beta1-latent3-lr0.0005-seed0", "-beta1-latent3-lr0.0005-seed1",
                                         "-beta4-latent3-lr0.0005-seed0", "-beta4-latent3-lr0.0005-seed1"])
        #expect(points.map(\.options.latent) == [2, 2, 2, 2, 3, 3, 3, 3] && points.map(\.options.beta) == [1, 1, 4, 4, 1, 1, 4, 4])
        #expect(points.allSatisfy { $0.options.lr == 5e-4 } && points.map(\.options.seed) == [0, 1, 0, 1, 0, 1, 0, 1])
        let objectives = try SweepGrid.points(base: base, axes: SweepGrid.axes(["objective=beta,capacity"], base: base), betas: nil, seeds: [0])
        #expect(objectives.map(\.suffix) == ["-beta0.1-objective-beta", "-beta1-objective-beta", "-beta4-objective-beta", "-beta10-objective-beta",
                                             "-objective-capacity"])
        #expect(objectives.last?.options.objective == .capacity)
        #expect(SweepGrid.namePart(key: "dataset", value: "idx:../data") == "dataset-idx_.._data")
    }

    /// A sweep over β × latent trains what each name says; started again over a folder where one
    /// run stopped after its first epoch (as an interrupted sweep leaves it), it resumes that run
    /// and trains nothing else; a third start reuses every run.
    @Test func aSecondStartResumesAndAThirdReuses() throws {
        let data = CLITests.idxFolder(count: 300)
        let sweep = data + "/runs/sw"
        let common = ["--dataset", "idx:" + data, "--hidden", "8", "--threads", "1", "--latent", "2"]
        let finished = try CLITests.run(["train", "--epochs", "2", "--beta", "4", "--out", sweep + "/sw-beta4-seed0"] + common)
        let stopped = try CLITests.run(["train", "--epochs", "1", "--beta", "4", "--seed", "1", "--out", sweep + "/sw-beta4-seed1"] + common)
        #expect(finished.status == 0 && stopped.status == 0, "\(stopped.stderr)")
        let arguments = ["sweep", "--betas", "4", "--seeds", "0,1", "--epochs", "2", "--iwae-samples", "2",
                         "--out", sweep, "--reports", data + "/reports"] + common
        let first = try CLITests.run(arguments)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("\(sweep)/sw-beta4-seed0 is already trained (2 epochs); reusing it"), "\(first.stdout)")
        #expect(first.stdout.contains("resuming \(sweep)/sw-beta4-seed1 after epoch 1"), "\(first.stdout)")
        #expect(!first.stdout.contains("training mlp"))
        for name in ["sw-beta4-seed0", "sw-beta4-seed1"] {
            #expect(try Checkpoint.position(path: "\(sweep)/\(name)/checkpoints/latest.safetensors").epoch == 2, "\(name)")
        }
        let again = try CLITests.run(arguments)
        #expect(again.status == 0 && !again.stdout.contains("resuming") && again.stdout.components(separatedBy: "reusing it").count == 3)
    }
}
