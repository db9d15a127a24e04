import CCairo
import Engine

/// disentanglement_lib's dSprites variants (Locatello et al. 2019), RGB 64×64 images of the dSprites
/// factor grid with a nuisance drawn per image: `color-dsprites` colours the sprite with a colour
/// in U(0.5, 1)³; `noisy-dsprites` puts it on U(0, 1) noise (min(mask + noise, 1)); `scream-dsprites`
/// puts it on a random 64×64 crop of a background picture, mixed with a random colour
/// ((crop + U(0, 1)³) / 2), with the crop's colours inverted under the sprite. The nuisance comes
/// from a generator seeded by the dataset's seed and the image's grid index, so an image is the
/// same every time it is read (the library draws a fresh one on every read).
public enum DSpritesVariant: String, Sendable, CaseIterable {
    case color = "color-dsprites"
    case noisy = "noisy-dsprites"
    case scream = "scream-dsprites"
}

/// The variant's images over a base of dSprites masks in grid order (the drawn sprites, or the
/// official .npz).
public struct DSpritesVariantSource: GroundTruthSource {
    public let variant: DSpritesVariant
    /// 737,280 masks in grid order, 1×64×64 each, values 0 or 1.
    public let base: any ImageSet
    public let background: BackgroundPicture?
    public let seed: UInt64

    public init(variant: DSpritesVariant, base: any ImageSet, background: BackgroundPicture?, seed: UInt64) {
        precondition(base.count == SpriteGrid.count && base.imageShape == [1, 64, 64])
        precondition((variant == .scream) == (background != nil), "scream-dsprites needs a background, the others none")
        self.variant = variant
        self.base = base
        self.background = background
        self.seed = seed
    }

    public var factors: FactorTable { SpriteGrid.table }
    public var imageShape: [Int] { [3, 64, 64] }
    public var count: Int { SpriteGrid.count }
    public var labelFactor: Int { 1 }
    public func classes(of image: Int) -> [Int] { SpriteGrid.classes(of: image) }
    public func image(showing classes: [Int], draw: UInt64) -> Int { SpriteGrid.index(of: classes) }

    public func write(image: Int, into pixels: UnsafeMutableBufferPointer<Float>) {
        let plane = 64 * 64
        // The mask goes into the first plane, then the three planes are written from it.
        base.write(image, into: UnsafeMutableBufferPointer(rebasing: pixels[0..<plane]))
        var rng = RandomGenerator(seed: seed ^ (UInt64(image) &* 0x9E37_79B9_7F4A_7C15) ^ 0xD5_9817E5)
        switch variant {
        case .color:
            let colour = (0..<3).map { _ in rng.uniform(0.5, 1) }
            for c in stride(from: 2, through: 0, by: -1) {
                for i in 0..<plane { pixels[c * plane + i] = pixels[i] * colour[c] }
            }
        case .noisy:
            for c in stride(from: 2, through: 0, by: -1) {
                for i in 0..<plane { pixels[c * plane + i] = min(pixels[i] + rng.uniform(), 1) }
            }
        case .scream:
            guard let background else { preconditionFailure("scream-dsprites without a background") }
            let x = Int(rng.next() % UInt64(background.width - 64)), y = Int(rng.next() % UInt64(background.height - 64))
            let tint = (0..<3).map { _ in rng.uniform() }
            for c in stride(from: 2, through: 0, by: -1) {
                for row in 0..<64 {
                    for column in 0..<64 {
                        let i = row * 64 + column
                        let value = (Float(background.rgb[((y + row) * background.width + x + column) * 3 + c]) / 255 + tint[c]) / 2
                        pixels[c * plane + i] = pixels[i] == 1 ? 1 - value : value
                    }
                }
            }
        }
    }
}

/// The picture behind scream-dsprites (the library uses Munch's The Scream, which it cannot
/// download): a PNG shrunk as PIL's `thumbnail((350, 274))` does — to fit 350×274, keeping its
/// aspect, never enlarged — and kept as RGB bytes.
public struct BackgroundPicture: Sendable {
    public let width: Int
    public let height: Int
    /// H·W·3 bytes.
    public let rgb: [UInt8]

    /// Reads and checks the PNG at `path`; after shrinking it must still exceed 64 pixels each way.
    public init(path: String) throws(DatasetError) {
        let bytes = try readFile(path, hint: "Give a PNG picture with --background (disentanglement_lib uses The Scream).")
        let size = try PNGFile.validate(bytes, path: path)
        guard let png = DecodedPNG(bytes: bytes), png.width == size.width, png.height == size.height else {
            throw .corruptPNG(path: path, reason: "libpng could not decode it")
        }
        let scale = min(1, 350 / Double(png.width), 274 / Double(png.height))
        let width = Int((Double(png.width) * scale).rounded()), height = Int((Double(png.height) * scale).rounded())
        guard width > 64, height > 64 else {
            throw .invalidValue(path: path, reason: "the picture is \(png.width)×\(png.height) (\(width)×\(height) after fitting 350×274); "
                                + "a 64×64 crop needs more than 64 pixels each way")
        }
        guard let raster = CairoRaster(width: width, height: height, format: CAIRO_FORMAT_RGB24) else {
            throw .unreadable(path: path, reason: "Cairo could not allocate an image")
        }
        let cr = raster.context
        cairo_scale(cr, scale, scale)
        cairo_set_source_surface(cr, png.surface, 0, 0)
        cairo_pattern_set_filter(cairo_get_source(cr), scale < 1 ? CAIRO_FILTER_GOOD : CAIRO_FILTER_NEAREST)
        cairo_pattern_set_extend(cairo_get_source(cr), CAIRO_EXTEND_PAD)
        cairo_paint(cr)
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        raster.withRows { row, data in
            data.withMemoryRebound(to: UInt32.self, capacity: width) { words in
                for column in 0..<width {
                    let word = words[column], at = (row * width + column) * 3
                    (rgb[at], rgb[at + 1], rgb[at + 2]) = (UInt8((word >> 16) & 0xFF), UInt8((word >> 8) & 0xFF), UInt8(word & 0xFF))
                }
            }
        }
        self.width = width
        self.height = height
        self.rgb = rgb
    }
}
