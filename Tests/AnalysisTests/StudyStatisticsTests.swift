import Analysis
import Testing

/// The study page's statistics against values computed by scipy and numpy by hand.
@Suite struct StudyStatisticsTests {
    @Test func tiedValuesShareTheirAverageRank() {
        // scipy.stats.rankdata([3, 1, 4, 1, 5]) = [3, 1.5, 4, 1.5, 5]
        #expect(StudyStatistics.ranks([3, 1, 4, 1, 5]) == [3, 1.5, 4, 1.5, 5])
        #expect(StudyStatistics.ranks([2, 2, 2]) == [2, 2, 2])
    }

    @Test func spearmanMatchesScipy() throws {
        // scipy.stats.spearmanr([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]).statistic = 0.8207826816681233
        let rho = try #require(StudyStatistics.spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]))
        #expect(abs(rho - 0.8207826816681233) < 1e-12)
        // A monotone but non-linear relation has ρ = 1 (Pearson's r would not); a reversed one −1.
        #expect(StudyStatistics.spearman([1, 2, 3, 4], [1, 8, 27, 64]) == 1)
        #expect(StudyStatistics.spearman([1, 2, 3, 4], [9, 4, 1, 0]) == -1)
        // Undefined for a constant score or a single run.
        #expect(StudyStatistics.spearman([1, 2, 3], [5, 5, 5]) == nil)
        #expect(StudyStatistics.spearman([1], [2]) == nil)
    }

    @Test func quartilesInterpolateAsNumpy() {
        // numpy.percentile([1, 2, 3, 4], [25, 50, 75]) = [1.75, 2.5, 3.25]
        let q = StudyStatistics.quartiles([4, 1, 3, 2])
        #expect(q.lower == 1.75 && q.median == 2.5 && q.upper == 3.25)
        // numpy.percentile([10, 0, 7], [25, 50, 75]) = [3.5, 7, 8.5]
        let r = StudyStatistics.quartiles([10, 0, 7])
        #expect(r.lower == 3.5 && r.median == 7 && r.upper == 8.5)
        let one = StudyStatistics.quartiles([0.3])
        #expect(one.lower == 0.3 && one.median == 0.3 && one.upper == 0.3)
    }

    @Test func seedShareIsTheWithinValueVariance() throws {
        // Values 1 and 3 at one setting, 5 and 7 at another: Var = 5, within = 1, so the seed's share is 0.2.
        let split = try #require(StudyStatistics.seedShare([[1, 3], [5, 7]]))
        #expect(abs(split.seed - 0.2) < 1e-12 && abs(split.total - 5) < 1e-12)
        // Identical seeds: the hyperparameter explains everything; identical settings: the seed does.
        #expect(try #require(StudyStatistics.seedShare([[1, 1], [4, 4]])).seed == 0)
        #expect(try #require(StudyStatistics.seedShare([[1, 4], [1, 4]])).seed == 1)
        #expect(StudyStatistics.seedShare([[2, 2], [2]]) == nil)
        #expect(StudyStatistics.seedShare([[2]]) == nil)
    }
}
