import Testing
@testable import Datasets

/// dSprites archives are untrusted: factor classes are read exactly as integers and range
/// checked, values must be finite and images 0/1 masks, before any table is built from them.
@Suite struct MalformedDSpritesTests {
    let path = "memory.npz"

    /// `count` 2×2 images with the given classes (`factors` per image) and values.
    func arrays(count: Int = 2, factors: Int = 6, classes: NPYArray.Storage? = nil, values: [Double]? = nil,
                pixels: [UInt8]? = nil, side: Int = 2) -> [String: NPYArray] {
        [
            "imgs": NPYArray(shape: [count, side, side], storage: .uint8(pixels ?? [UInt8](repeating: 1, count: count * side * side))),
            "latents_classes": NPYArray(shape: [count, factors], storage: classes ?? .int64([Int64](repeating: 0, count: count * factors))),
            "latents_values": NPYArray(shape: [count, factors], storage: .float64(values ?? [Double](repeating: 0.5, count: count * factors))),
        ]
    }

    @Test func wellFormedArraysDecode() throws {
        let set = try DSprites.decode(arrays(classes: .int64([0, 2, 5, 39, 31, 31, 0, 1, 0, 0, 0, 0])), path: path)
        #expect(set.count == 2 && set.classCount == 3 && set.label(0) == 2 && set.factorClasses(0) == [0, 2, 5, 39, 31, 31])
        #expect(set.factors?.sizes == SpriteGrid.sizes)
    }

    @Test func negativeOrHugeClassesAreRefused() {
        #expect(throws: DatasetError.invalidValue(path: path, reason: "latents_classes[0, 1] is -1, outside 0..<3")) {
            try DSprites.decode(arrays(classes: .int64([0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])), path: path)
        }
        #expect(throws: DatasetError.invalidValue(path: path, reason: "latents_classes[1, 4] is 1099511627776, outside 0..<32")) {
            try DSprites.decode(arrays(classes: .int64([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 << 40, 0])), path: path)
        }
        // Without the official layout the limit is DatasetLimits.maximumFactorClasses.
        #expect(throws: DatasetError.invalidValue(path: path, reason: "latents_classes[1, 0] is 5000, outside 0..<4096")) {
            try DSprites.decode(arrays(factors: 2, classes: .int64([0, 0, 5000, 0])), path: path)
        }
        #expect(throws: DatasetError.invalidValue(path: path, reason: "factor 1, the label, has 301 classes; at most 256 are supported")) {
            try DSprites.decode(arrays(factors: 2, classes: .int64([0, 300, 0, 0])), path: path)
        }
    }

    /// Classes stored as floats would be rounded (2^24 + 1) or wrapped: refused.
    @Test func floatClassesAreRefused() {
        let values = NPYArray(shape: [2, 6], storage: .float64([Double](repeating: 0, count: 12)))
        var bad = arrays()
        bad["latents_classes"] = values
        #expect(throws: DatasetError.invalidValue(path: path, reason: "latents_classes is <f8; factor classes must be integers (i8 or u1)")) {
            try DSprites.decode(bad, path: path)
        }
    }

    @Test func nonFiniteValuesAreRefused() {
        var values = [Double](repeating: 0.5, count: 12)
        values[8] = .nan
        #expect(throws: DatasetError.invalidValue(path: path, reason: "latents_values[1, 2] is nan, not a finite number")) {
            try DSprites.decode(arrays(values: values), path: path)
        }
        values[8] = 1e300   // finite as f8, infinite as the Float the table keeps
        #expect(throws: DatasetError.invalidValue(path: path, reason: "latents_values[1, 2] is inf, not a finite number")) {
            try DSprites.decode(arrays(values: values), path: path)
        }
    }

    /// The set keeps masks with scale 1: a 255 would silently become 255.0.
    @Test func pixelsMustBeMasks() {
        var pixels = [UInt8](repeating: 0, count: 2 * 3 * 3)
        pixels[13] = 255
        #expect(throws: DatasetError.invalidValue(path: path, reason: "imgs holds 255 at element 13; dSprites images are 0/1 masks")) {
            try DSprites.decode(arrays(pixels: pixels, side: 3), path: path)
        }
        // The packer's word path (64 aligned bytes) and byte path both find the stray byte.
        for (length, at) in [(200, 150), (200, 3), (70, 69)] {
            var bytes = [UInt8](repeating: 1, count: length)
            bytes[at] = 2
            var bits = MaskBits(pixels: length)
            #expect(bytes.withUnsafeBufferPointer { bits.append($0) } == at)
        }
    }

    @Test func emptyShapesAreRefused() {
        #expect(throws: DatasetError.invalidValue(path: path, reason: "imgs has shape [0, 2, 2]; it needs at least one image of at least 1×1 pixels")) {
            try DSprites.decode(arrays(count: 0), path: path)
        }
        #expect(throws: DatasetError.invalidValue(path: path, reason: "latents_classes has 0 factors; expected 1…64")) {
            try DSprites.decode(arrays(factors: 0), path: path)
        }
        var mismatched = arrays()
        mismatched["latents_classes"] = NPYArray(shape: [3, 6], storage: .int64([Int64](repeating: 0, count: 18)))
        #expect(throws: DatasetError.malformedNPY(path: path, reason: "expected imgs [N, H, W] u8 and latents_classes/latents_values [N, F]")) {
            try DSprites.decode(mismatched, path: path)
        }
    }

    /// A non-official layout names its label classes by number, one per class.
    @Test func classNamesMatchTheClassCount() throws {
        let folder = Fixture.temporaryFolder()
        let file = folder + "/two-factors.npz"
        let members = arrays(factors: 2, classes: .int64([0, 4, 1, 0]))
        Fixture.write(NPZ.serialize(["imgs", "latents_classes", "latents_values"].map { ($0, members[$0]!) }), file)
        let dataset = try DatasetCatalog.load("dsprites:" + file, options: DatasetOptions())
        #expect(dataset.train.classCount == 5 && dataset.classNames == ["0", "1", "2", "3", "4"])
    }
}
