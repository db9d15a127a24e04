/// A dense Float32 tensor in row-major (C) order with an explicit shape.
///
/// Storage is a Swift array, so hot loops reach it without copies through
/// `withUnsafeBufferPointer` / `withUnsafeMutableBufferPointer`; copies are copy-on-write.
/// Layouts follow PyTorch: images are `[N, C, H, W]`, `Linear.weight` is `[out, in]`.
public struct Tensor: Equatable, Sendable {
    /// Extent of each axis; the product equals `scalars.count`.
    public private(set) var shape: [Int]
    /// The elements in row-major order.
    public var scalars: [Float]

    /// A tensor of the given shape filled with `value` (zero by default).
    public init(shape: [Int], repeating value: Float = 0) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(shape)")
        self.shape = shape
        let count = shape.reduce(1, *)
        // Filled through a buffer pointer: measurably faster than Array(repeating:count:) with
        // checks on (this runs for every layer's output and gradient, every step).
        self.scalars = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            buffer.initialize(repeating: value)
            initialized = count
        }
    }

    /// A tensor of `shape` whose elements are left as the allocator gave them, for a pass that
    /// writes every one of them: a convolution's output or input gradient. Why: zero-filling the
    /// burgess net's 8 MB activations first took a single-threaded pass each, about a tenth of
    /// a step over the four of them (`bench conv`).
    static func unfilled(shape: [Int]) -> Tensor {
        let count = shape.reduce(1, *)
        return Tensor(shape: shape, scalars: [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count })
    }

    /// A tensor that takes `scalars` (row-major) as its elements; `scalars.count` must equal the
    /// product of `shape`.
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.reduce(1, *) == scalars.count,
                     "shape \(shape) holds \(shape.reduce(1, *)) elements, not \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    /// Number of elements.
    @inlinable public var count: Int { scalars.count }

    /// Extent of the leading axis (the batch size for batched data).
    @inlinable public var rows: Int { shape.first ?? 1 }

    /// Elements per leading index: `count / rows`.
    @inlinable public var columns: Int { rows == 0 ? 0 : count / rows }

    /// The same elements under another shape with the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, scalars: scalars)
    }

    /// Changes the shape in place; the element count must not change.
    public mutating func reshape(_ newShape: [Int]) {
        precondition(newShape.reduce(1, *) == scalars.count,
                     "cannot reshape \(shape) to \(newShape)")
        shape = newShape
    }

    /// Rows `range` of the leading axis as a new tensor `[range.count, ...]`.
    public func rows(_ range: Range<Int>) -> Tensor {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "rows \(range) out of \(rows)")
        let width = columns
        var newShape = shape
        newShape[0] = range.count
        return Tensor(shape: newShape,
                      scalars: Array(scalars[(range.lowerBound * width)..<(range.upperBound * width)]))
    }

    /// Element `index` in row-major order.
    @inlinable public subscript(index: Int) -> Float {
        get { scalars[index] }
        set { scalars[index] = newValue }
    }

    /// Sets every element to zero without reallocating.
    public mutating func zero() {
        scalars.withUnsafeMutableBufferPointer { buffer in
            buffer.update(repeating: 0)
        }
    }

    /// Adds `other` element by element (same element count): self += other.
    public mutating func add(_ other: Tensor) {
        precondition(other.count == count, "add: \(shape) + \(other.shape)")
        other.scalars.withUnsafeBufferPointer { b in
            scalars.withUnsafeMutableBufferPointer { a in
                for i in a.indices { a[i] += b[i] }
            }
        }
    }

    /// Sum of all elements, accumulated in Double.
    public func sum() -> Double {
        scalars.withUnsafeBufferPointer { buffer in
            var total = 0.0
            for value in buffer { total += Double(value) }
            return total
        }
    }

    /// Largest absolute element (0 for an empty tensor).
    public func maxAbs() -> Float {
        scalars.reduce(0) { Swift.max($0, abs($1)) }
    }

    /// True when every element is finite (no NaN or ±∞).
    public var isFinite: Bool {
        scalars.withUnsafeBufferPointer { buffer in
            // A sum of x·0 is NaN exactly when some x is NaN or ±∞; the loop vectorises.
            var probe: Float = 0
            for value in buffer { probe += value * 0 }
            return probe == 0
        }
    }
}
