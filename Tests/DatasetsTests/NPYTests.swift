import Foundation
import Testing
@testable import Datasets

@Suite struct NPYTests {
    let expected: [Float] = [1.5, -2, 3.25, 0, 1e-3, -7]

    func parse(_ name: String) throws -> NPYArray {
        try NPY.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixture.path(name)))), path: name)
    }

    /// Files written by numpy in versions 1.0, 2.0 and 3.0, and one per supported dtype.
    @Test func readsNumpyFiles() throws {
        for name in ["v1.npy", "v2.npy", "v3.npy"] {
            let array = try parse(name)
            #expect(array.shape == [2, 3], "\(name)")
            #expect(array.storage == .float32(expected), "\(name)")
        }
        #expect(try parse("int64.npy").storage == .int64([-5, 0, 1 << 40]))
        #expect(try parse("uint8.npy") == NPYArray(shape: [2, 3, 4], storage: .uint8(Array(0..<24))))
        #expect(try parse("float64.npy").storage == .float64([0.25, -1e10]))
    }

    @Test func refusesFortranOrderAndBigEndian() {
        #expect(Fixture.error { _ = try parse("fortran.npy") } == .fortranOrder(path: "fortran.npy"))
        #expect(Fixture.error { _ = try parse("bigendian.npy") } == .unsupportedDType(path: "bigendian.npy", descr: ">f4"))
        #expect(Fixture.error { _ = try NPY.parse(Array("not numpy".utf8), path: "x.npy") }
                == .badMagic(path: "x.npy", found: "6e6f74206e75", expected: "\\x93NUMPY"))
    }

    @Test func roundTripsEveryDType() throws {
        let arrays = [
            NPYArray(shape: [2, 2], storage: .float32([1, 2, 3, 4])),
            NPYArray(shape: [3], storage: .int64([-1, 0, 7])),
            NPYArray(shape: [1, 2, 1], storage: .uint8([9, 200])),
            NPYArray(shape: [2], storage: .float64([0.1, -3])),
        ]
        for array in arrays {
            let bytes = NPY.serialize(array)
            #expect(try NPY.parse(bytes, path: "memory") == array)
            let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            #expect((10 + headerLength) % 64 == 0)
        }
    }

    @Test func readsStoredAndDeflatedArchives() throws {
        for name in ["stored.npz", "deflated.npz"] {
            let arrays = try NPZ.read(path: Fixture.path(name), arrays: ["a", "b"])
            #expect(arrays["a"]?.storage == .float32(expected), "\(name)")
            #expect(arrays["b"]?.storage == .int64(Array(0..<10)), "\(name)")
            #expect(try NPZ.arrayNames(path: Fixture.path(name)) == ["a", "b"])
        }
    }

    @Test func npzRoundTripAndNumpyReadsIt() throws {
        let folder = Fixture.temporaryFolder()
        let path = folder + "/latents.npz"
        let means = NPYArray(shape: [2, 2], storage: .float32([0.5, -1, 2, 3]))
        let labels = NPYArray(shape: [2], storage: .int64([4, 7]))
        try NPZ.write([("means", means), ("labels", labels)], to: path)
        let back = try NPZ.read(path: path, arrays: ["means", "labels"])
        #expect(back["means"] == means && back["labels"] == labels)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import numpy as np,sys; d=np.load(sys.argv[1]); print(d['means'].tolist(), d['labels'].tolist())", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return }
        process.waitUntilExit()
        if process.terminationStatus == 0 {
            let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(text.trimmingCharacters(in: .whitespacesAndNewlines) == "[[0.5, -1.0], [2.0, 3.0]] [4, 7]")
        }
    }

    @Test func missingMemberAndCorruptArchive() throws {
        let path = Fixture.path("deflated.npz")
        #expect(Fixture.error { _ = try NPZ.read(path: path, arrays: ["imgs"]) } == .zipMemberMissing(path: path, member: "imgs.npy"))
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[60] ^= 0xFF   // inside the first member's deflated data
        let folder = Fixture.temporaryFolder()
        Fixture.write(bytes, folder + "/bad.npz")
        guard case .corruptZip? = Fixture.error({ _ = try NPZ.read(path: folder + "/bad.npz", arrays: ["a", "b"]) })
            ?? Fixture.error({ _ = try NPZ.read(path: folder + "/bad.npz", arrays: ["a"]) }) else {
            Issue.record("corrupt archive accepted"); return
        }
        Fixture.write(Array("plain text, no zip".utf8), folder + "/text.npz")
        #expect(Fixture.error { _ = try NPZ.read(path: folder + "/text.npz", arrays: ["a"]) }
                == .corruptZip(path: folder + "/text.npz", reason: "no end-of-central-directory record"))
    }
}
