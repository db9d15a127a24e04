import Engine
import Foundation
import Models
import Testing
@testable import Training

/// config.json and metrics.csv as they come from disk: every malformed case is one exact error
/// naming the file, decided before anything is allocated from the values.
struct RunFileTests {
    static let path = "runs/x/config.json"

    static func configBytes(_ change: (inout RunConfig) -> Void) -> [UInt8] {
        var config = TinyData.config()
        change(&config)
        return config.encoded()
    }

    static func corrupt(_ reason: String) -> TrainingError {
        .corruptRun(path: path, reason: reason + "; fix the file or train the run again")
    }

    @Test func validConfigRoundTrips() throws {
        #expect(try RunConfig.decode(TinyData.config().encoded(), path: Self.path) == TinyData.config())
    }

    @Test func invalidSettingsAreRefusedByName() {
        let cases: [((inout RunConfig) -> Void, String)] = [
        ({ (c: inout RunConfig) in c.model.latent = -3 }, "model: latent must be 1…1024, not -3"),
        ({ (c: inout RunConfig) in c.model.latent = 100_000_000 }, "model: latent must be 1…1024, not 100000000"),
        ({ (c: inout RunConfig) in c.model.hidden = [16, -1] }, "model: hidden sizes must each be 1…16384, not [16, -1]"),
        ({ (c: inout RunConfig) in c.model.hidden = [16_384, 16_384] }, "model: the model would have more than 100000000 parameters; use smaller hidden sizes or latent"),
        ({ (c: inout RunConfig) in c.model.imageShape = [1, 0, 28] }, "model: imageShape must be [C, H, W] with C = 1 or 3 and sides 1…1024, not [1, 0, 28]"),
        ({ (c: inout RunConfig) in c.model.imageShape = [1, 28] }, "model: imageShape must be [C, H, W] with C = 1 or 3 and sides 1…1024, not [1, 28]"),
        ({ (c: inout RunConfig) in c.model.conditionClasses = 1 }, "model: conditionClasses must be 0 (unconditional) or 2…1000, not 1"),
        ({ (c: inout RunConfig) in c.model.architecture = .burgess }, "model: model burgess needs 64×64 images, but the data is 28×28; use --model mlp or conv28"),
        ({ (c: inout RunConfig) in c.objective = .beta(-1) }, "objective: beta must be a finite number ≥ 0, not -1.0"),
        ({ (c: inout RunConfig) in c.objective = .capacity(gamma: 1000, start: 0, max: -5, steps: 10) }, "objective: capacity start and max must be finite numbers of nats ≥ 0, not 0.0 and -5.0"),
        ({ (c: inout RunConfig) in c.objective = .beta(4, warmup: -1) }, "objective: warmup must be ≥ 0 steps, not -1"),
        ({ (c: inout RunConfig) in c.objective = .beta(1e30) },
         "objective: beta must be at most 1000000, not 1e+30 (a larger weight can overflow the single-precision loss)"),
        ({ (c: inout RunConfig) in c.objective = .capacity(gamma: 1000, start: 0, max: 1e7, steps: 10) }, "objective: capacity max must be at most 1000000, not 10000000.0 (a larger weight can overflow the single-precision loss)"),
        ({ (c: inout RunConfig) in c.objective = .dipVAE(DIPVAESettings(variant: .ii, lambdaOffDiagonal: 2e6)) }, "objective: lambdaOD must be at most 1000000, not 2000000.0 (a larger weight can overflow the single-precision loss)"),
        ({ (c: inout RunConfig) in c.objective = .tcvae(TCVAESettings(alpha: -1)) }, "objective: alpha must be a finite number ≥ 0, not -1.0"),
        ({ (c: inout RunConfig) in c.objective = .factorVAE(FactorVAESettings(discriminatorLayers: 0)) }, "objective: discriminatorLayers must be 1…16, not 0"),
        ({ (c: inout RunConfig) in c.objective = .factorVAE(FactorVAESettings(discriminatorLayers: 16, discriminatorHidden: 16_384)) },
         "objective: the discriminator would have more than 100000000 parameters; use fewer or narrower layers"),
        ({ (c: inout RunConfig) in c.objective = .dipVAE(DIPVAESettings(variant: .ii, lambdaOffDiagonal: -2)) },
         "objective: lambdaOD must be a finite number ≥ 0, not -2.0"),
        ({ (c: inout RunConfig) in c.learningRateSchedule = .step(every: 0, factor: 0.5) }, "learningRateSchedule every must be ≥ 1 step, not 0"),
        ({ (c: inout RunConfig) in c.learningRateSchedule = .cosine(steps: 10, minimum: 1) }, "learningRateSchedule min must be a finite number 0…0.001 (the base rate), not 1.0"),
        ({ (c: inout RunConfig) in c.learningRate = 0 }, "learningRate must be a finite number > 0, not 0.0"),
        ({ (c: inout RunConfig) in c.clipNorm = -1 }, "clipNorm must be a finite number > 0, not -1.0"),
        ({ (c: inout RunConfig) in c.batchSize = 0 }, "batchSize must be 1…65536, not 0"),
        ({ (c: inout RunConfig) in c.epochs = -1 }, "epochs must be 1…100000, not -1"),
        ({ (c: inout RunConfig) in c.threads = 100_000 }, "threads must be 1…256, not 100000"),
        ({ (c: inout RunConfig) in c.binarize = "sometimes" }, "binarize must be none, fixed or dynamic, not 'sometimes'"),
        ({ (c: inout RunConfig) in c.snapshotEvery = 0 }, "snapshotEvery must be ≥ 1, not 0"),
        ({ (c: inout RunConfig) in c.limit = 0 }, "limit must be positive, not 0"),
        ]
        for (change, reason) in cases {
            #expect(throws: Self.corrupt(reason)) { _ = try RunConfig.decode(Self.configBytes(change), path: Self.path) }
        }
    }

    @Test func notAConfigAtAll() {
        for text in ["", "{\"name\": ", "[1, 2]", "{\"name\": \"x\"}"] {
            #expect(throws: TrainingError.self) { _ = try RunConfig.decode(Array(text.utf8), path: Self.path) }
        }
        #expect(throws: TrainingError.corruptRun(path: Self.path, reason: "not a betavae config.json (no 'toolVersion')")) {
            _ = try RunConfig.decode(Array("{}".utf8), path: Self.path)
        }
        // JSON has no NaN or infinity; a number past Double's range must not arrive as one.
        let huge = String(decoding: TinyData.config().encoded(), as: UTF8.self)
            .replacingOccurrences(of: "\"learningRate\" : 0.001", with: "\"learningRate\" : 1e999")
        #expect(huge.contains("1e999"))
        #expect(throws: TrainingError.self) { _ = try RunConfig.decode(Array(huge.utf8), path: Self.path) }
        var infinite = TinyData.config()
        infinite.learningRate = .infinity
        #expect(infinite.problem == "learningRate must be a finite number > 0, not inf")
        infinite.learningRate = 1
        infinite.objective = .capacity(gamma: 1000, start: 0, max: .nan, steps: 10)
        #expect(infinite.problem == "objective: capacity start and max must be finite numbers of nats ≥ 0, not 0.0 and nan")
    }

    static let metricsPath = "runs/x/metrics.csv"
    static let goodMetrics = MetricsLog.header(latent: 2) + "\n0,train,1,2,3,5,1,0,0.5,0.1,0.2\n0,test,1,2,3,5,1,0,0.5,0.1,0.2\n"

    @Test func metricsRoundTrip() throws {
        let log = try MetricsLog.parse(Array(Self.goodMetrics.utf8), path: Self.metricsPath, latent: 2)
        #expect(log.rows.count == 2 && log.rows[1].klPerDimension == [0.1, 0.2])
        #expect(try MetricsLog.parse(Array(log.csv.utf8), path: Self.metricsPath, latent: 2).rows == log.rows)
    }

    /// An objective's term columns after kl_{Z-1} are read into each row's terms and written back;
    /// a file whose terms are not the run objective's is refused by name.
    @Test func metricsWithObjectiveTerms() throws {
        let text = MetricsLog.header(latent: 2, termNames: ["mi", "tc", "dimwise_kl"]) + "\n0,train,1,2,3,5,6,0,0.5,0.1,0.2,0.3,0.4,-0.5\n"
        let log = try MetricsLog.parse(Array(text.utf8), path: Self.metricsPath, latent: 2, termNames: ["mi", "tc", "dimwise_kl"])
        #expect(log.rows[0].terms == [0.3, 0.4, -0.5] && log.rows[0].klPerDimension == [0.1, 0.2] && log.csv.hasPrefix(text.prefix(60)))
        #expect(try MetricsLog.parse(Array(log.csv.utf8), path: Self.metricsPath, latent: 2).rows == log.rows)
        #expect(log.term("tc", in: log.rows) == [0.4])
        #expect(throws: TrainingError.corruptRun(path: Self.metricsPath, reason: "has the term columns [] but the run's objective writes [mi,tc,dimwise_kl]")) {
            _ = try MetricsLog.parse(Array(Self.goodMetrics.utf8), path: Self.metricsPath, latent: 2, termNames: ["mi", "tc", "dimwise_kl"])
        }
    }

    @Test(arguments: [
        ("", "missing the metrics.csv header row"),
        ("epoch,split,loss,recon,kl,nelbo,beta,capacity,seconds,kl_0,kl_7\n", "the header row's KL columns are not kl_0,kl_1,… followed by an objective's terms"),
        ("epoch,split,loss,recon,kl,nelbo,beta,capacity,seconds,kl_0,kl_1,mi,tc\n", "the header row's KL columns are not kl_0,kl_1,… followed by an objective's terms"),
        ("epoch,split,loss,recon,kl,nelbo,beta,capacity,seconds,kl_0\n", "has 1 KL columns but the run's model has 2 latent dimensions"),
        (goodMetrics + "1,train,1,2,3,5,1,0,0.5,0.1\n", "line 4 is not a metrics row"),
        (goodMetrics + "1,valid,1,2,3,5,1,0,0.5,0.1,0.2\n", "line 4 is not a metrics row"),
        (goodMetrics + "-1,train,1,2,3,5,1,0,0.5,0.1,0.2\n", "line 4 is not a metrics row"),
        (goodMetrics + "99999999999999999999,train,1,2,3,5,1,0,0.5,0.1,0.2\n", "line 4 is not a metrics row"),
        (goodMetrics + "1,train,1,2,nan,5,1,0,0.5,0.1,0.2\n", "line 4 holds a number that is not finite"),
        (goodMetrics + "1,train,1,2,3,5,1,0,0.5,0.1,inf\n", "line 4 holds a number that is not finite"),
    ])
    func malformedMetricsAreRefusedByLine(text: String, reason: String) {
        #expect(throws: TrainingError.corruptRun(path: Self.metricsPath, reason: reason)) {
            _ = try MetricsLog.parse(Array(text.utf8), path: Self.metricsPath, latent: 2)
        }
    }
}
