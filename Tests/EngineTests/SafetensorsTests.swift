import Foundation
import Testing
@testable import Engine

@Suite struct SafetensorsTests {
    /// The header-only reader gives the full reader's metadata and refuses a header past the end.
    @Test func metadataAloneReadsTheHeader() throws {
        let path = NSTemporaryDirectory() + "meta-\(UUID().uuidString).safetensors"
        let bytes = SafetensorsWriter.serialize([("w", Tensor(shape: [4], scalars: [1, 2, 3, 4]))], metadata: ["epoch": "3", "step": "60"])
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(try SafetensorsFile.metadata(path: path) == SafetensorsFile.read(path: path).metadata)
        #expect(try SafetensorsFile.metadata(path: path)["step"] == "60")
        try Data(bytes.prefix(20)).write(to: URL(fileURLWithPath: path))
        let length = UInt64(bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) })
        #expect(throws: SafetensorsError.headerPastEnd(path: path, length: length, fileSize: 20)) { _ = try SafetensorsFile.metadata(path: path) }
    }

    @Test func roundTripAndLayout() throws {
        let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [1], scalars: [-0.5])
        let bytes = SafetensorsWriter.serialize([("layer.weight", a), ("layer.bias", b)], metadata: ["step": "12"])
        let headerLength = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect((8 + headerLength) % 8 == 0)
        #expect(bytes.count == 8 + headerLength + 28)
        let header = String(decoding: bytes[8..<(8 + headerLength)], as: UTF8.self)
        #expect(header.contains("\"format\":\"pt\""))
        #expect(header.contains("\"layer.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}"))
        let file = try SafetensorsFile.parse(bytes, path: "memory")
        #expect(try file.tensor("layer.weight") == a)
        #expect(try file.tensor("layer.bias") == b)
        #expect(file.metadata == ["format": "pt", "step": "12"])
        #expect(file.names == ["layer.weight", "layer.bias"])
    }

    /// A file written by Python's safetensors (numpy API) loads to the same values.
    @Test func readsPythonWrittenFile() throws {
        let file = try SafetensorsFile.read(path: Fixture.path("python_written.safetensors"))
        #expect(try file.tensor("f32") == Tensor(shape: [2, 3], scalars: [1.5, -2, 3.25, 0, 1e-3, -7]))
        #expect(try file.tensor("f64").scalars == [0.1, 0.2])
        #expect(try file.tensor("i64").scalars == [-3, 9, Float(1 << 40)])
        #expect(try file.tensor("u8") == Tensor(shape: [2, 2], scalars: [0, 1, 2, 3]))
        #expect(try file.tensor("scalar").shape == [])
        #expect(file.metadata["made_by"] == "make_fixtures.py")
    }

    static let pythonWithSafetensors: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import safetensors.numpy"]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    /// A file the engine writes loads with `safetensors.numpy.load_file` to the same values
    /// (`make setup` installs Python's safetensors).
    @Test(.enabled(if: pythonWithSafetensors, "needs python3 with safetensors (make setup installs it)"))
    func pythonReadsEngineFile() throws {
        let folder = Fixture.temporaryFolder()
        let path = folder + "/engine.safetensors"
        var rng = RandomGenerator(seed: 4)
        let weight = rng.normalTensor(shape: [3, 4])
        try SafetensorsWriter.write([("encoder.0.weight", weight), ("step", Tensor(shape: [], scalars: [7]))], to: path)
        let script = """
        import sys; from safetensors.numpy import load_file
        d = load_file(sys.argv[1]); w = d['encoder.0.weight']
        print(w.shape, w.dtype, ' '.join(repr(float(v)) for v in w.ravel()), float(d['step']))
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let expected = "(3, 4) float32 " + weight.scalars.map { "\(Double($0))" }.joined(separator: " ") + " 7.0"
        #expect(process.terminationStatus == 0)
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == expected)
    }

    // MARK: rejected files, one typed error each

    /// Builds a file from a header text and a data length.
    func file(header: String, data: Int, declaredLength: UInt64? = nil) -> [UInt8] {
        let h = Array(header.utf8)
        let length = declaredLength ?? UInt64(h.count)
        return (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) } + h + [UInt8](repeating: 0, count: data)
    }

    func rejection(_ bytes: [UInt8]) -> SafetensorsError? {
        do { _ = try SafetensorsFile.parse(bytes, path: "bad.safetensors"); return nil } catch { return error }
    }

    @Test func rejectsMalformedFiles() {
        let t = #""a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}"#
        #expect(rejection([1, 2, 3]) == .fileTooShort(path: "bad.safetensors", size: 3))
        #expect(rejection(file(header: "{}", data: 0, declaredLength: 200_000_000)) == .headerTooLarge(path: "bad.safetensors", length: 200_000_000))
        #expect(rejection(file(header: "{}", data: 0, declaredLength: 50)) == .headerPastEnd(path: "bad.safetensors", length: 50, fileSize: 10))
        var notUTF8 = file(header: "{\"\u{e9}\":1}", data: 0)
        notUTF8[10] = 0xFF
        #expect(rejection(notUTF8) == .headerNotUTF8(path: "bad.safetensors"))
        if case .headerNotJSON? = rejection(file(header: "{\"a\":", data: 0)) {} else { Issue.record("not JSON accepted") }
        #expect(rejection(file(header: "{\(t),\(t)}", data: 8)) == .duplicateTensor(path: "bad.safetensors", tensor: "a"))
        #expect(rejection(file(header: #"{"a":{"dtype":"Q7","shape":[2],"data_offsets":[0,8]}}"#, data: 8))
                == .unknownDType(path: "bad.safetensors", tensor: "a", dtype: "Q7"))
        #expect(rejection(file(header: #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: 8))
                == .byteSizeMismatch(path: "bad.safetensors", tensor: "a", expected: 12, actual: 8))
        #expect(rejection(file(header: "{\(t),\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", data: 12))
                == .offsetsOverlap(path: "bad.safetensors", tensor: "b"))
        #expect(rejection(file(header: "{\(t),\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}", data: 16))
                == .offsetsGap(path: "bad.safetensors", tensor: "b"))
        #expect(rejection(file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: 8))
                == .offsetsGap(path: "bad.safetensors", tensor: "a"))
        #expect(rejection(file(header: "{\(t)}", data: 4)) == .offsetsPastEnd(path: "bad.safetensors", tensor: "a"))
        #expect(rejection(file(header: "{\(t)}", data: 11)) == .trailingBytes(path: "bad.safetensors", count: 3))
    }

    @Test func missingTensorAndShapeErrorsNameTheFile() throws {
        let bytes = SafetensorsWriter.serialize([("w", Tensor(shape: [2], scalars: [1, 2]))])
        let file = try SafetensorsFile.parse(bytes, path: "ckpt.safetensors")
        #expect(throws: SafetensorsError.missingTensor(path: "ckpt.safetensors", tensor: "v")) { try file.tensor("v") }
        #expect(throws: SafetensorsError.shapeMismatch(path: "ckpt.safetensors", tensor: "w", expected: [3], actual: [2])) {
            try file.tensor("w", shape: [3])
        }
        let message = SafetensorsError.missingTensor(path: "ckpt.safetensors", tensor: "v").description
        #expect(message == "ckpt.safetensors: tensor 'v' is missing")
    }

    @Test func missingFileIsUnreadable() {
        #expect(throws: SafetensorsError.unreadable(path: "/nonexistent/x.safetensors", reason: "no such file")) {
            try SafetensorsFile.read(path: "/nonexistent/x.safetensors")
        }
    }
}
