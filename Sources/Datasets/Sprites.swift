import CCairo
import Foundation

/// The dSprites factor grid (Matthey et al. 2017) — color (1), shape (3: square, ellipse, heart),
/// scale (6, 0.5…1), orientation (40, 0…2π), posX (32, 0…1), posY (32, 0…1) — 737,280
/// combinations indexed as dSprites does, posY fastest:
/// index = ((((color·3 + shape)·6 + scale)·40 + orientation)·32 + posX)·32 + posY.
public enum SpriteGrid {
    public static let names = ["color", "shape", "scale", "orientation", "posX", "posY"]
    public static let sizes = [1, 3, 6, 40, 32, 32]
    public static let count = sizes.reduce(1, *)
    public static let shapeNames = ["square", "ellipse", "heart"]

    /// Factor values per class, as dSprites' `latents_values` (shape 1…3 as in dSprites).
    public static let table = FactorTable(names: names, sizes: sizes, values: [
        [1],
        [1, 2, 3],
        (0..<6).map { 0.5 + Float($0) * 0.1 },
        (0..<40).map { Float($0) * 2 * .pi / 40 },
        (0..<32).map { Float($0) / 31 },
        (0..<32).map { Float($0) / 31 },
    ])

    /// The factor classes of grid `index`.
    public static func classes(of index: Int) -> [Int] {
        precondition(index >= 0 && index < count, "sprite index \(index) outside the grid")
        var rest = index
        var result = [Int](repeating: 0, count: sizes.count)
        for f in stride(from: sizes.count - 1, through: 0, by: -1) {
            result[f] = rest % sizes[f]
            rest /= sizes[f]
        }
        return result
    }

    /// The grid index of the given factor classes.
    public static func index(of classes: [Int]) -> Int {
        precondition(classes.count == sizes.count && zip(classes, sizes).allSatisfy { $0 >= 0 && $0 < $1 })
        return zip(classes, sizes).reduce(0) { $0 * $1.1 + $1.0 }
    }

    /// Side of the square image in pixels.
    public static let side = 64

    /// Draws the sprite with the given factor classes as a binary 64×64 image (0 or 1 per pixel),
    /// with Cairo, antialiasing off so every pixel is 0 or 1.
    public static func draw(classes: [Int], into pixels: UnsafeMutableBufferPointer<Float>) {
        precondition(pixels.count >= side * side)
        let values = (0..<names.count).map { table.values[$0][classes[$0]] }
        guard let raster = CairoRaster(width: side, height: side, format: CAIRO_FORMAT_A8) else {
            preconditionFailure("Cairo could not allocate a 64×64 surface")
        }
        let cr = raster.context
        cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE)
        // Centres span 14…50 px and the largest shape reaches 10·√2 px from its centre, so every
        // sprite stays inside the frame.
        let radius = 10 * Double(values[2])
        cairo_translate(cr, 14 + 36 * Double(values[4]), 14 + 36 * Double(values[5]))
        cairo_rotate(cr, Double(values[3]))
        cairo_scale(cr, radius, radius)
        switch classes[1] {
        case 0:
            cairo_rectangle(cr, -1, -1, 2, 2)
        case 1:
            cairo_save(cr)
            cairo_scale(cr, 1, 0.5)
            cairo_arc(cr, 0, 0, 1, 0, 2 * .pi)
            cairo_restore(cr)
        default:
            // The classic heart curve x = 16 sin³t, y = 13 cos t − 5 cos 2t − 2 cos 3t − cos 4t, in unit scale.
            for step in 0..<96 {
                let t = Double(step) / 96 * 2 * .pi
                let x = 16 * pow(sin(t), 3) / 16
                let y = -(13 * cos(t) - 5 * cos(2 * t) - 2 * cos(3 * t) - cos(4 * t)) / 16 + 0.1
                if step == 0 { cairo_move_to(cr, x, y) } else { cairo_line_to(cr, x, y) }
            }
            cairo_close_path(cr)
        }
        cairo_fill(cr)
        raster.withRows { row, data in
            for column in 0..<side { pixels[row * side + column] = data[column] > 127 ? 1 : 0 }
        }
    }
}

/// Procedural sprites: a seeded subset of the dSprites grid, each image drawn when a batch asks
/// for it, so the 737,280-image grid never sits in memory. Labels are the shape class.
public struct SpriteImageSet: ImageSet {
    /// Grid indices of this set's images.
    public let indices: [Int]

    public init(indices: [Int]) { self.indices = indices }

    public var count: Int { indices.count }
    public var imageShape: [Int] { [1, SpriteGrid.side, SpriteGrid.side] }
    public var classCount: Int { 3 }
    public var factors: FactorTable? { SpriteGrid.table }
    public func label(_ index: Int) -> Int { SpriteGrid.classes(of: indices[index])[1] }
    public func factorClasses(_ index: Int) -> [Int] { SpriteGrid.classes(of: indices[index]) }
    public func write(_ index: Int, into pixels: UnsafeMutableBufferPointer<Float>) {
        SpriteGrid.draw(classes: SpriteGrid.classes(of: indices[index]), into: pixels)
    }
}

/// A dataset that can draw an image of any combination of its factors' classes, so metrics can
/// sample fresh observations from the factor space as disentanglement_lib does (instead of
/// reusing a file's images).
public protocol FactorImageGenerator: Sendable {
    var factors: FactorTable? { get }
    /// The images of the given factor classes (one row of classes per image).
    func images(classes: [[Int]]) -> any ImageSet
}

extension SpriteImageSet: FactorImageGenerator {
    public func images(classes: [[Int]]) -> any ImageSet { SpriteImageSet(indices: classes.map(SpriteGrid.index(of:))) }
}
