import ArgumentParser
import Datasets
import Foundation

/// `betavae datasets`: the named datasets, where each is looked for, and whether it was found.
struct DatasetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datasets",
        abstract: "List the named datasets, where each is looked for, and whether it was found.")

    @Option(name: .long, help: "Folder holding the MNIST files (default: $BETAVAE_DATA/mnist, else data/mnist).")
    var dataDir: String?

    func run() throws {
        let options = DatasetOptions(dataDirectory: dataDir)
        defer { listBenchmarks() }
        let rows: [(String, String, String)] = [
            ("fashion-mnist", DatasetCatalog.fashionMNISTFolder, "apt-get install dataset-fashion-mnist"),
            ("mnist", DatasetCatalog.mnistFolder(options), "the four MNIST IDX files; --data-dir DIR or $BETAVAE_DATA/mnist"),
            ("sprites", "(drawn with Cairo)", "always available: the dSprites factor grid, 737,280 images"),
        ]
        for (name, location, how) in rows {
            let status: String
            do {
                let dataset = try DatasetCatalog.load(name, options: options)
                let shape = dataset.imageShape
                status = "found: \(dataset.train.count) train / \(dataset.test.count) test, \(shape[0])×\(shape[1])×\(shape[2])"
            } catch {
                status = "not found (\(how))"
            }
            print("\(name.padding(toLength: 15, withPad: " ", startingAt: 0)) \(location)\n                \(status)")
        }
        print("""
        idx:DIR         any folder with train-/t10k- images and labels in IDX format (raw or .gz);
                        with only the t10k pair, a seeded 80/20 split
        dsprites:PATH   the official dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz
        images:DIR      a folder of PNG images, centre-cropped and resized to 64×64 (--channels 3 or 1)
        """)
    }

    /// The benchmarks with known factors, each looked for in $BETAVAE_DATA/FOLDER (else
    /// data/FOLDER; --data-dir applies to mnist only here, since each benchmark has its own
    /// folder). Only headers are read (no pixels): a present file is checked as training would
    /// check it, and a missing or bad one gets its one line.
    func listBenchmarks() {
        print("\nbenchmarks with known factors (--dataset NAME --data-dir DIR; default folder $BETAVAE_DATA/FOLDER, else data/FOLDER):")
        for entry in BenchmarkDatasets.entries {
            let folder = BenchmarkDatasets.folder(entry, DatasetOptions())
            let location = entry.files.isEmpty ? "(drawn with Cairo)" : folder + "/" + (entry.files.count == 1 ? entry.files[0] : "smallnorb-*-{dat,cat,info}.mat")
            let status: String
            if entry.name.hasSuffix("-dsprites") {
                status = "available: " + entry.hint
            } else {
                do {
                    var options = DatasetOptions()
                    options.testLimit = 1
                    options.limit = 1
                    let dataset = try DatasetCatalog.load(entry.name, options: options)
                    let shape = dataset.imageShape
                    let sizes = dataset.train.factors?.sizes.map(String.init).joined(separator: "×") ?? ""
                    status = "found: factors \(sizes), \(shape[0])×\(shape[1])×\(shape[2])"
                } catch {
                    if case .missing = error { status = "not found: \(error)" } else { status = "not usable: \(error)" }
                }
            }
            print("\(entry.name.padding(toLength: 15, withPad: " ", startingAt: 0)) \(location)\n                \(status)")
        }
    }
}
