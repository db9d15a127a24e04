import Testing
@testable import Datasets

/// Each check fails when the factor it is about is ignored by the drawing code.
@Suite struct SpritesTests {
    func image(_ classes: [Int]) -> [Float] {
        var pixels = [Float](repeating: 0, count: 64 * 64)
        pixels.withUnsafeMutableBufferPointer { SpriteGrid.draw(classes: classes, into: $0) }
        return pixels
    }

    func area(_ p: [Float]) -> Float { p.reduce(0, +) }

    func centroid(_ p: [Float]) -> (x: Float, y: Float) {
        var (sx, sy) = (Float(0), Float(0))
        for i in 0..<p.count { sx += p[i] * Float(i % 64); sy += p[i] * Float(i / 64) }
        return (sx / area(p), sy / area(p))
    }

    @Test func indexArithmeticMatchesDSprites() {
        #expect(SpriteGrid.count == 737_280)
        #expect(SpriteGrid.classes(of: 0) == [0, 0, 0, 0, 0, 0])
        #expect(SpriteGrid.classes(of: 1) == [0, 0, 0, 0, 0, 1])            // posY fastest
        #expect(SpriteGrid.classes(of: 32) == [0, 0, 0, 0, 1, 0])
        #expect(SpriteGrid.classes(of: 32 * 32 * 40 * 6) == [0, 1, 0, 0, 0, 0])
        #expect(SpriteGrid.index(of: [0, 2, 5, 39, 31, 31]) == SpriteGrid.count - 1)
        for index in [7, 12_345, 500_000] { #expect(SpriteGrid.index(of: SpriteGrid.classes(of: index)) == index) }
    }

    @Test func binaryAndDeterministic() {
        let a = image([0, 2, 3, 7, 10, 20])
        #expect(a == image([0, 2, 3, 7, 10, 20]))
        #expect(a.allSatisfy { $0 == 0 || $0 == 1 })
        let set = SpriteImageSet(indices: [SpriteGrid.index(of: [0, 2, 3, 7, 10, 20])])
        #expect(set.batch([0]).scalars == a)
        #expect(set.label(0) == 2)
    }

    @Test func centroidFollowsPosition() {
        let left = centroid(image([0, 0, 3, 0, 2, 16])), right = centroid(image([0, 0, 3, 0, 29, 16]))
        let top = centroid(image([0, 0, 3, 0, 16, 2])), bottom = centroid(image([0, 0, 3, 0, 16, 29]))
        #expect(right.x - left.x > 25 && abs(right.y - left.y) < 1)
        #expect(bottom.y - top.y > 25 && abs(bottom.x - top.x) < 1)
    }

    @Test func areaGrowsWithScale() {
        let areas = (0..<6).map { area(image([0, 0, $0, 0, 16, 16])) }
        for i in 1..<6 { #expect(areas[i] > areas[i - 1]) }
        // Square side 20·scale: 10 px wide at 0.5, 20 px at 1 (±1 px of edge rounding).
        #expect(abs(areas[5] / areas[0] - 4) < 0.5)
    }

    @Test func shapesDifferAndRotationMatters() {
        let shapes = (0..<3).map { image([0, $0, 5, 0, 16, 16]) }
        for i in 0..<3 { for j in (i + 1)..<3 { #expect(zip(shapes[i], shapes[j]).filter { $0 != $1 }.count > 20) } }
        let turned = image([0, 0, 5, 5, 16, 16])   // orientation class 5 = 45°
        #expect(zip(shapes[0], turned).filter { $0 != $1 }.count > 40)
    }

    @Test func spritesDatasetIsSeededAndDisjoint() throws {
        let a = try DatasetCatalog.load("sprites", options: DatasetOptions(limit: 200, testLimit: 50, seed: 1))
        let b = try DatasetCatalog.load("sprites", options: DatasetOptions(limit: 200, testLimit: 50, seed: 1))
        guard let trainA = a.train as? SpriteImageSet, let trainB = b.train as? SpriteImageSet,
              let testA = a.test as? SpriteImageSet else { Issue.record("sprites are drawn on demand"); return }
        #expect(trainA.indices == trainB.indices)
        #expect(Set(trainA.indices).isDisjoint(with: testA.indices))
        #expect(a.train.factors?.sizes == [1, 3, 6, 40, 32, 32])
        #expect(a.train.factorClasses(0) == SpriteGrid.classes(of: trainA.indices[0]))
    }
}
