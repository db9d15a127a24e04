/// Central finite differences for gradient checks.
///
/// This exists for the tests: every layer and every objective's analytic backward is compared
/// with it (../shared/DESIGN.md). Training never calls it. It lives in Engine, not in a test
/// target, only so that every test target shares one implementation.
///
/// For a scalar loss L(x) and an analytic gradient g, each checked element i is moved both ways,
/// x⁺ = x + h·eᵢ and x⁻ = x − h·eᵢ, in Float32, and
///
///     numericᵢ = (L(x⁺) − L(x⁻)) / (x⁺ᵢ − x⁻ᵢ)
///
/// divides by the step actually taken (x ± h rounds in Float32). The error is measured relative to
/// the largest analytic element, over the whole of g:
///
///     relative error = maxᵢ |gᵢ − numericᵢ| / max(maxⱼ |gⱼ|, 1e-6).
///
/// Return L in Double, summing in Double, so that the truncation error O(h²) and Float32 rounding
/// of L (≈ |L|·6e-8 / h) stay below the tolerance a test states.
public enum FiniteDifference {
    /// How far an analytic gradient lies from central differences.
    public struct Comparison: Sendable, CustomStringConvertible {
        /// maxᵢ |analyticᵢ − numericᵢ| over the checked elements.
        public var largestDifference: Double
        /// maxⱼ |analyticⱼ| over every element of the analytic gradient.
        public var largestAnalytic: Double
        /// The element with the largest difference (−1 when nothing was checked).
        public var worstIndex: Int
        /// Its analytic and numeric derivatives.
        public var worstAnalytic: Double, worstNumeric: Double
        /// How many elements were checked.
        public var checked: Int

        /// largestDifference / max(largestAnalytic, 1e-6).
        public var relativeError: Double { largestDifference / max(largestAnalytic, 1e-6) }

        public var description: String {
            "relative error \(relativeError) at element \(worstIndex) (analytic \(worstAnalytic), numeric \(worstNumeric); "
                + "\(checked) checked, largest |analytic| \(largestAnalytic))"
        }
    }

    /// Compares `analytic` (∂loss/∂x, x's shape) with central differences of `loss` around `x`.
    ///
    /// - Parameters:
    ///   - step: h, the move of each element (in x's units).
    ///   - limit: check every element when x has at most `limit`, else `limit` of them: the
    ///     element with the largest |analytic| and the rest evenly spaced (nil: all).
    ///   - loss: the scalar at a moved copy of x.
    public static func check(at x: Tensor, analytic: Tensor, step: Float = 1e-3, limit: Int? = nil,
                             loss: (Tensor) -> Double) -> Comparison {
        precondition(analytic.count == x.count, "analytic gradient \(analytic.shape) for \(x.shape)")
        var largestAnalytic = 0.0
        for i in 0..<analytic.count { largestAnalytic = max(largestAnalytic, Double(abs(analytic[i]))) }
        var result = Comparison(largestDifference: 0, largestAnalytic: largestAnalytic, worstIndex: -1,
                                worstAnalytic: 0, worstNumeric: 0, checked: 0)
        for i in indices(analytic, limit: limit) {
            var plus = x, minus = x
            plus[i] += step
            minus[i] -= step
            let up = loss(plus), down = loss(minus)
            let numeric = (up - down) / (Double(plus[i]) - Double(minus[i]))
            let difference = abs(numeric - Double(analytic[i]))
            result.checked += 1
            if difference > result.largestDifference || result.worstIndex < 0 {
                result.largestDifference = difference
                result.worstIndex = i
                result.worstAnalytic = Double(analytic[i])
                result.worstNumeric = numeric
            }
        }
        return result
    }

    /// Compares `analytic` (by default the parameter's accumulated gradient: call the backward pass
    /// first) with central differences of `loss`, moving `parameter.value` in place; the value is
    /// restored afterwards.
    public static func check(_ parameter: Parameter, analytic: Tensor? = nil, step: Float = 1e-3, limit: Int? = nil,
                             loss: () -> Double) -> Comparison {
        let saved = parameter.value
        defer { parameter.value = saved }
        return check(at: saved, analytic: analytic ?? parameter.gradient, step: step, limit: limit) { moved in
            parameter.value = moved
            return loss()
        }
    }

    /// Every index of `analytic`, or `limit` of them: the largest |analytic| first, then evenly spaced.
    static func indices(_ analytic: Tensor, limit: Int?) -> [Int] {
        let count = analytic.count
        guard let limit, limit < count else { return Array(0..<count) }
        guard limit > 0 else { return [] }
        var largest = 0
        for i in 0..<count where abs(analytic[i]) > abs(analytic[largest]) { largest = i }
        var chosen = [largest]
        let spaced = limit - 1
        for k in 0..<spaced {
            let i = spaced == 1 ? 0 : k * (count - 1) / (spaced - 1)
            if i != largest { chosen.append(i) }
        }
        return chosen
    }
}
