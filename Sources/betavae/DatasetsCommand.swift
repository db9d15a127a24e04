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
}
