import Engine

/// Images of 0/1 masks held as bits, pixel `i` of the set (image after image, C·H·W each) in bit
/// `i % 64` of word `i / 64`: dSprites' 737,280 images of 64×64 take 377 MB instead of 2.9 GB as
/// bytes, so the official archive trains in a few hundred MB (it peaked at 5.9 GB with the inflated
/// member and its parsed copy both alive, docs/datasets.md).
public struct MaskImageSet: ImageSet {
    public let imageShape: [Int]
    public let count: Int
    public let classCount: Int
    public let factors: FactorTable?
    /// The pixels, 64 to a word.
    let bits: [UInt64]
    /// Class label per image.
    let labelValues: [UInt8]
    /// Factor classes, `factors.names.count` per image.
    let factorValues: [Int32]

    init(imageShape: [Int], count: Int, bits: [UInt64], labels: [UInt8], classCount: Int, factors: FactorTable, factorValues: [Int32]) {
        // Programmer errors: DSprites validates shapes, labels and factors from the file before this.
        precondition(imageShape.count == 3 && imageShape.allSatisfy { $0 > 0 } && count >= 1, "image shape \(imageShape)")
        precondition(bits.count * 64 >= count * imageShape.reduce(1, *), "fewer bits than pixels")
        precondition(labels.count == count && factorValues.count == count * factors.names.count, "one label and one row of factors per image")
        self.imageShape = imageShape
        self.count = count
        self.bits = bits
        self.labelValues = labels
        self.classCount = classCount
        self.factors = factors
        self.factorValues = factorValues
    }

    public func label(_ index: Int) -> Int { Int(labelValues[index]) }

    public func factorClasses(_ index: Int) -> [Int] {
        let width = factors?.names.count ?? 0
        return factorValues[(index * width)..<((index + 1) * width)].map { Int($0) }
    }

    /// Image `index` as floats 0 and 1.
    public func write(_ index: Int, into output: UnsafeMutableBufferPointer<Float>) {
        let size = imageSize
        // Checked once per image, then a pointer loop (as ByteImageSet, for the same reason).
        precondition(index >= 0 && index < count && output.count >= size, "image \(index) of \(count)")
        bits.withUnsafeBufferPointer { words in
            let source = words.baseAddress!, destination = output.baseAddress!
            let first = index * size
            for i in 0..<size {
                let bit = first + i
                destination[i] = Float((source[bit >> 6] >> UInt64(bit & 63)) & 1)
            }
        }
    }
}

/// Packs 0/1 bytes into `MaskImageSet`'s bits as they arrive, refusing any other byte.
struct MaskBits {
    private(set) var words: [UInt64]
    /// Bytes taken so far.
    private(set) var taken = 0
    let capacity: Int

    /// Room for `pixels` bytes; the caller has reserved `pixels / 8` bytes of memory.
    init(pixels: Int) {
        capacity = pixels
        words = [UInt64](repeating: 0, count: (pixels + 63) / 64)
    }

    /// Appends `bytes` (at most the room left); returns the position within `bytes` of the first
    /// byte that is neither 0 nor 1, or nil when all were.
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        precondition(bytes.count <= capacity - taken, "more bytes than pixels")
        guard let source = bytes.baseAddress else { return nil }
        var position = 0
        let count = bytes.count
        words.withUnsafeMutableBufferPointer { words in
            // Whole words when aligned: an OR of the bytes tells a stray value without a branch per byte.
            while position < count {
                let bit = taken + position
                if bit & 63 == 0, count - position >= 64 {
                    var word: UInt64 = 0, seen: UInt8 = 0
                    for k in 0..<64 {
                        let b = source[position + k]
                        seen |= b
                        word |= UInt64(b & 1) << UInt64(k)
                    }
                    if seen > 1 { break }
                    words[bit >> 6] = word
                    position += 64
                } else {
                    let b = source[position]
                    if b > 1 { break }
                    words[bit >> 6] |= UInt64(b) << UInt64(bit & 63)
                    position += 1
                }
            }
        }
        // A stray byte stopped the loop at its word (or at itself): find it.
        if position < count, let stray = (position..<min(count, position + 64)).first(where: { source[$0] > 1 }) {
            taken += stray
            return stray
        }
        taken += count
        return nil
    }
}

/// The `.npy` of a u8 mask array `[N, H, W]` read piece by piece: its header first, checked
/// (u8, three dimensions, `expectedCount` images of at least 1×1) before the bits are reserved,
/// then its data packed into `MaskBits`.
struct MaskArrayStream {
    let path: String
    let expectedCount: Int
    private var prefix: [UInt8] = []
    private(set) var header: NPY.Header?
    private var bits: MaskBits?

    init(path: String, expectedCount: Int) {
        self.path = path
        self.expectedCount = expectedCount
    }

    /// The next piece of the member's bytes, in order.
    mutating func take(_ piece: UnsafeBufferPointer<UInt8>) throws(DatasetError) {
        guard header == nil else { return try pack(piece) }
        // Gather the header: at most 12 + DatasetLimits.maximumNPYHeader bytes.
        let used = min(12 + DatasetLimits.maximumNPYHeader - prefix.count, piece.count)
        prefix.append(contentsOf: UnsafeBufferPointer(rebasing: piece[0..<used]))
        guard let parsed = try parsedHeader(final: false) else { return }
        try begin(parsed)
        // What was gathered past the header is data, and so is the rest of the piece.
        let data = Array(prefix[parsed.dataStart...])
        prefix = []
        try data.withUnsafeBufferPointer { (data) throws(DatasetError) in try pack(data) }
        try pack(UnsafeBufferPointer(rebasing: piece[used...]))
    }

    /// The array's shape and its packed bits once every piece is in.
    mutating func finish() throws(DatasetError) -> (shape: [Int], bits: [UInt64]) {
        if header == nil, let parsed = try parsedHeader(final: true) { try begin(parsed) }
        guard let header, let bits else { throw .truncated(path: path, expectedBytes: 12, actualBytes: prefix.count) }
        guard bits.taken == header.byteCount else {
            throw .truncated(path: path, expectedBytes: header.dataStart + header.byteCount, actualBytes: header.dataStart + bits.taken)
        }
        return (header.shape, bits.words)
    }

    /// The header once `prefix` holds all of it; nil while more may come (`final` false).
    private func parsedHeader(final: Bool) throws(DatasetError) -> NPY.Header? {
        do {
            return try NPY.header(prefix, path: path)
        } catch .truncated(_, _, _) where !final && prefix.count < 12 + DatasetLimits.maximumNPYHeader {
            return nil
        } catch .badMagic(_, _, _) where !final && prefix.count < 10 {
            return nil
        }
    }

    private mutating func begin(_ parsed: NPY.Header) throws(DatasetError) {
        guard parsed.shape.count == 3, parsed.elementSize == 1, parsed.descr.hasSuffix("u1"), parsed.shape[0] == expectedCount else {
            throw .malformedNPY(path: path, reason: "expected imgs [N, H, W] u8 and latents_classes/latents_values [N, F]")
        }
        guard parsed.shape.allSatisfy({ $0 >= 1 }) else {
            throw .invalidValue(path: path, reason: "imgs has shape \(parsed.shape); it needs at least one image of at least 1×1 pixels")
        }
        try DatasetLimits.reserve(parsed.byteCount / 8, for: "the masks as bits", path: path)
        header = parsed
        bits = MaskBits(pixels: parsed.byteCount)
    }

    private mutating func pack(_ data: UnsafeBufferPointer<UInt8>) throws(DatasetError) {
        guard !data.isEmpty, var packed = bits else { return }
        bits = nil   // unique while appending, so the words are not copied
        guard data.count <= packed.capacity - packed.taken else {
            throw .malformedNPY(path: path, reason: "the member holds more bytes than its header's shape")
        }
        let start = packed.taken
        if let stray = packed.append(data) {
            throw .invalidValue(path: path, reason: "imgs holds \(data[stray]) at element \(start + stray); dSprites images are 0/1 masks")
        }
        bits = packed
    }
}
