/// The one place a product of sizes read from a file is computed: tensor shapes in safetensors
/// headers, NPY shapes, IDX dimensions. Each factor comes from outside, so the product is taken
/// with overflow-checked arithmetic; an unchecked `reduce(1, *)` trapped (signal 4) on a
/// checkpoint whose shape multiplied past Int.max (issue 25).
public enum SizeProduct {
    /// ∏ `factors` (times `unit`, an element's size in bytes), or nil when the product overflows
    /// Int or exceeds `limit`. Factors must be ≥ 0 (the readers check that first); the product of
    /// no factors is `unit`.
    public static func of(_ factors: [Int], unit: Int = 1, limit: Int = .max) -> Int? {
        var product = unit
        for factor in factors {
            let (next, overflow) = product.multipliedReportingOverflow(by: factor)
            guard !overflow, next <= limit else { return nil }
            product = next
        }
        return product
    }
}
