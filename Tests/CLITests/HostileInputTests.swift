import Engine
import Foundation
import Testing

/// The classes of failure issue 25 found with hostile input and a newcomer's session, each tested
/// through the binary (`BETAVAE_BINARY=.build/release/betavae` runs them through the release build):
/// the exit code, the one line on stderr, and that nothing changed on disk. Ctrl-C (class 3) is in
/// InterruptTests, the weights' bounds (class 7) in BoundaryTests, the comparison figure's rows
/// (class 9) also in ReportTests' pixel test.
@Suite(.serialized) struct HostileInputTests {
    /// A copy of the tiny finished run (epochs 0 and 2 checkpointed) and the folder to watch.
    static func run(_ name: String) throws -> (run: String, folder: String) {
        (try BoundaryTests.copyOfRun(name), BoundaryTests.trainedRun.data)
    }

    /// Rewrites the safetensors header of `path` with `change` applied to its JSON (data unchanged).
    static func editHeader(_ path: String, _ change: (inout [String: Any]) -> Void) throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let length = (0..<8).reduce(0) { $0 | Int(bytes[$1]) << (8 * $1) }
        var header = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + length)])) as! [String: Any]
        change(&header)
        var json = [UInt8](try JSONSerialization.data(withJSONObject: header))
        while json.count % 8 != 0 { json.append(0x20) }
        let prefix = (0..<8).map { UInt8(truncatingIfNeeded: json.count >> (8 * $0)) }
        try Data(prefix + json + bytes[(8 + length)...]).write(to: URL(fileURLWithPath: path))
    }

    /// Class 1: a β comparison on an unlabeled images:DIR folder works, with no factor sections;
    /// its evaluation.json has no mutual-information rows and reads back. Class 9: each run's row
    /// figure is as tall as its panels fill, not the 560 pt of equal rows.
    @Test func compareOnAnUnlabeledImageFolder() throws {
        let folder = NSTemporaryDirectory() + "betavae-images-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/images", withIntermediateDirectories: true)
        for i in 0..<100 {   // 8×8 RGB PNGs, gradients that differ per image; 10 test images fill the 8 columns
            var pixels: [UInt8] = []
            for p in 0..<64 {
                let red = (p * 4 + i * 6) % 256, green = (p * 3 + i * 11) % 256, blue = (i * 17) % 256
                pixels += [UInt8(red), UInt8(green), UInt8(blue)]
            }
            try Data(PNGTestFile.rgb(width: 8, height: 8, pixels: pixels)).write(to: URL(fileURLWithPath: "\(folder)/images/img\(i).png"))
        }
        var runs: [String] = []
        for beta in ["1", "4"] {
            let run = "\(folder)/run-beta\(beta)"
            let trained = try CLITests.run(["train", "--dataset", "images:\(folder)/images", "--beta", beta, "--epochs", "1", "--latent", "2",
                                            "--hidden", "8", "--batch-size", "16", "--threads", "1", "--out", run])
            #expect(trained.status == 0, "\(trained.stderr)")
            runs.append(run)
        }
        let compared = try CLITests.run(["compare"] + runs + ["--iwae-samples", "2", "--out", folder + "/comparison"])
        #expect(compared.status == 0, "\(compared.stderr)")
        let page = try String(contentsOfFile: folder + "/comparison/index.html", encoding: .utf8)
        #expect(page.contains("Runs side by side") && !page.contains("Mutual information") && !page.contains("MIG"))
        let evaluation = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: runs[0] + "/evaluation.json"))) as! [String: Any]
        let scores = evaluation["disentanglement"] as? [String: Any]
        #expect((scores?["mutualInformation"] as? [Any])?.isEmpty == true && (scores?["factorNames"] as? [Any])?.isEmpty == true)
        let height = page.range(of: #"figures/run-0.png"[^>]* height="(\d+)""#, options: .regularExpression)
            .flatMap { Int(page[$0].split(separator: "\"").last ?? "") }
        #expect(height.map { $0 < 560 } == true, "run row figure height \(String(describing: height))")
        // The report of such a run reads the same evaluation.json back.
        let report = try CLITests.run(["report", runs[0], "--out", folder + "/report"])
        #expect(report.status == 0, "\(report.stderr)")
    }

    /// Class 2: a checkpoint whose shape multiplies past Int.max is one line naming the file in
    /// evaluate, report and train --resume (it trapped with signal 4).
    @Test func checkpointShapePastTheIntegerRange() throws {
        let (run, folder) = try Self.run("shape")
        for file in ["latest", "epoch-0002"] {
            try Self.editHeader(run + "/checkpoints/\(file).safetensors") { header in
                var entry = header["encoder.0.weight"] as! [String: Any]
                entry["shape"] = [4_294_967_296, 4_294_967_296, 4]
                header["encoder.0.weight"] = entry
            }
        }
        let message = "tensor 'encoder.0.weight': shape [4294967296, 4294967296, 4] has more elements than any file can hold"
        try BoundaryTests.expectRefused(["evaluate", run], code: 1, message: message, watching: folder)
        try BoundaryTests.expectRefused(["report", run, "--out", folder + "/site-shape"], code: 1, message: message, watching: folder)
        try BoundaryTests.expectRefused(["train", "--resume", run, "--epochs", "3"], code: 1, message: message, watching: folder)
        #expect(!FileManager.default.fileExists(atPath: folder + "/site-shape"))
    }

    /// Class 4: an IDX gzip member declaring 1.6 GB under `ulimit -v` is refused with how much it
    /// needs (it crashed with "failed to allocate").
    @Test func allocationPastTheAddressSpaceLimit() throws {
        let data = CLITests.idxFolder(count: 300)
        let header = [0, 0, 8, 3, 0, 0x1E, 0x84, 0x80, 0, 0, 0, 28, 0, 0, 0, 28] as [UInt8]   // 2,000,000 × 28 × 28
        try FileManager.default.removeItem(atPath: data + "/train-images-idx3-ubyte")
        try Data(GzipTestFile.member(header + [UInt8](repeating: 0, count: 64))).write(to: URL(fileURLWithPath: data + "/train-images-idx3-ubyte.gz"))
        let before = BoundaryTests.tree(data)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "ulimit -v 2000000 && exec \"$0\" \"$@\"", CLITests.binary, "train", "--dataset", "idx:" + data, "--out", data + "/run"]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = Pipe()
        try process.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 1 && process.terminationReason == .exit, "\(stderr)")
        #expect(stderr.split(separator: "\n").count == 1, "\(stderr)")
        #expect(stderr.hasPrefix("betavae: \(data)/train-images-idx3-ubyte.gz: inflating its 2000000 × 28 × 28 bytes needs 3.1 GB of memory but the process may use only"),
                "\(stderr)")
        #expect(stderr.contains("(ulimit -v 2000000 kB, RLIMIT_AS); raise the limit or use fewer images (--limit)"), "\(stderr)")
        BoundaryTests.expectUnchanged(before, BoundaryTests.tree(data), "ulimit -v")
    }

    /// Class 5: outputs are checked before any work — an existing folder as --export-latents, a
    /// file as report's --out, and (as an unprivileged user, when the tests run as root) a report
    /// of a read-only run that would have to compute its evaluation: one line, no IWAE progress
    /// before it, no evaluation.json written.
    @Test func outputsAreCheckedBeforeTheWork() throws {
        let (run, folder) = try Self.run("outputs")
        try? FileManager.default.removeItem(atPath: run + "/evaluation.json")
        try FileManager.default.createDirectory(atPath: run + "/latents.npz", withIntermediateDirectories: true)
        try BoundaryTests.expectRefused(["evaluate", run, "--export-latents", run + "/latents.npz"], code: 1,
                                        message: "--export-latents \(run)/latents.npz: is a folder, but a file is written there; remove it or choose another path",
                                        watching: folder)
        try BoundaryTests.expectRefused(["report", run, "--out", run + "/config.json"], code: 1,
                                        message: "--out \(run)/config.json: is a file, but a folder is written there", watching: folder)
        try FileManager.default.createDirectory(atPath: run + "/evaluation.json", withIntermediateDirectories: true)
        try BoundaryTests.expectRefused(["evaluate", run], code: 1, message: "\(run)/evaluation.json: is a folder, but a file is written there",
                                        watching: folder)
        try FileManager.default.removeItem(atPath: run + "/evaluation.json")
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else { return }
        // A read-only run: everything readable, nothing writable, for the user nobody.
        let readOnly = NSTemporaryDirectory() + "betavae-readonly-\(UUID().uuidString)"
        try FileManager.default.copyItem(atPath: run, toPath: readOnly)
        try FileManager.default.removeItem(atPath: readOnly + "/latents.npz")
        let site = NSTemporaryDirectory() + "betavae-site-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: site, withIntermediateDirectories: true)
        for path in [readOnly, site] { chmod(path, path == site ? 0o777 : 0o555) }
        let before = BoundaryTests.tree(readOnly)
        let result = try CLITests.run(["report", readOnly, "--out", site + "/report"], as: "65534")
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr == "betavae: \(readOnly)/evaluation.json: cannot be written (\(readOnly): Permission denied); its evaluation "
                + "(no evaluation.json yet) must be computed and saved there: make the run writable or work on a copy\n")
        BoundaryTests.expectUnchanged(before, BoundaryTests.tree(readOnly), "read-only run")
        #expect(!FileManager.default.fileExists(atPath: site + "/report"))
    }

    /// Class 6: a damaged epoch checkpoint is reported as damaged with what to do, not as missing;
    /// a missing one lists the epochs there are.
    @Test func damagedCheckpointIsNotMissing() throws {
        let (run, folder) = try Self.run("damaged")
        try Data("not a checkpoint".utf8).write(to: URL(fileURLWithPath: run + "/checkpoints/epoch-0002.safetensors"))
        try BoundaryTests.expectRefused(["evaluate", run, "--epoch", "2"], code: 1,
                                        message: "betavae: \(run)/checkpoints/epoch-0002.safetensors: checkpoint unreadable, the file is damaged (safetensors header length",
                                        watching: folder)
        try BoundaryTests.expectRefused(["evaluate", run, "--epoch", "2"], code: 1,
                                        message: "; pass --epoch N to use another of this run's checkpoints (epochs 0) or train the run again", watching: folder)
        try BoundaryTests.expectRefused(["evaluate", run, "--epoch", "1"], code: 64,
                                        message: "--epoch 1: \(run) has no checkpoint of that epoch (see \(run)/checkpoints; it has epochs 0, 2)", watching: folder)
    }

    /// Class 8: a report written outside reports/ does not link to a missing ../index.html; one
    /// beside an index does.
    @Test func allReportsLinkOnlyWhenTheIndexIsThere() throws {
        let (run, _) = try Self.run("links")
        let site = NSTemporaryDirectory() + "betavae-links-\(UUID().uuidString)"
        let lonely = try CLITests.run(["report", run, "--out", site + "/report", "--iwae-samples", "2"])
        #expect(lonely.status == 0, "\(lonely.stderr)")
        #expect(!FileManager.default.fileExists(atPath: site + "/index.html"))
        #expect(try !String(contentsOfFile: site + "/report/index.html", encoding: .utf8).contains("../index.html"))
        try Data("<html></html>".utf8).write(to: URL(fileURLWithPath: site + "/index.html"))
        let indexed = try CLITests.run(["report", run, "--out", site + "/report"])
        #expect(indexed.status == 0, "\(indexed.stderr)")
        #expect(try String(contentsOfFile: site + "/report/index.html", encoding: .utf8).contains(#"<a href="../index.html">all reports</a>"#))
    }
}

/// Minimal PNG and gzip writers for test inputs (stored deflate blocks, real CRC-32 and Adler-32).
enum PNGTestFile {
    static func rgb(width: Int, height: Int, pixels: [UInt8]) -> [UInt8] {
        func be(_ v: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8((v >> $0) & 0xFF) } }
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(type.utf8) + data
            return be(data.count) + body + be(Int(GzipTestFile.crc32(body)))
        }
        var raw: [UInt8] = []
        for y in 0..<height { raw += [0] + pixels[(y * width * 3)..<((y + 1) * width * 3)] }
        let zlib: [UInt8] = [0x78, 0x01] + GzipTestFile.storedBlocks(raw) + be(Int(GzipTestFile.adler32(raw)))
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", be(width) + be(height) + [8, 2, 0, 0, 0])
            + chunk("IDAT", zlib) + chunk("IEND", [])
    }
}

enum GzipTestFile {
    /// One gzip member holding `data` in stored blocks.
    static func member(_ data: [UInt8]) -> [UInt8] {
        func le(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) } }
        return [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF] + storedBlocks(data) + le(crc32(data)) + le(UInt32(truncatingIfNeeded: data.count))
    }

    static func storedBlocks(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var start = 0
        repeat {
            let end = min(start + 65_535, data.count)
            let n = end - start
            out += [end == data.count ? 1 : 0, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            out += data[start..<end]
            start = end
        } while start < data.count
        return out
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
        }
        return ~crc
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes { a = (a + UInt32(byte)) % 65_521; b = (b + a) % 65_521 }
        return b << 16 | a
    }
}
