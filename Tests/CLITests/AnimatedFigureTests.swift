import Foundation
import Testing

/// `betavae report --figures traversals-animated` rewrites that GIF alone.
@Suite(.serialized) struct AnimatedFigureTests {
    @Test func figuresOptionRegeneratesOnlyTheAnimatedTraversal() throws {
        let data = CLITests.idxFolder(count: 200)
        let run = data + "/run", site = data + "/site"
        let train = try CLITests.run(["train", "--dataset", "idx:" + data, "--epochs", "1", "--latent", "2", "--hidden", "8",
                                      "--batch-size", "50", "--threads", "1", "--out", run])
        #expect(train.status == 0, "\(train.stderr)")
        let report = try CLITests.run(["report", run, "--out", site, "--iwae-samples", "2"])
        #expect(report.status == 0, "\(report.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: site + "/figures").sorted()
        #expect(names.contains("traversals-animated.gif") && names.contains("reconstructions-animated.gif"))
        func date(_ name: String) throws -> Date? { try FileManager.default.attributesOfItem(atPath: site + "/figures/" + name)[.modificationDate] as? Date }
        let before = try names.map(date)
        let gif = FileManager.default.contents(atPath: site + "/figures/traversals-animated.gif")
        #expect(gif?.prefix(6) == Data("GIF89a".utf8))
        usleep(20_000)
        let again = try CLITests.run(["report", run, "--out", site, "--iwae-samples", "2", "--figures", "traversals-animated"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: site + "/figures").sorted() == names)
        for (name, old) in zip(names, before) {
            if name == "traversals-animated.gif" { #expect(try date(name) != old, "not rewritten") } else { #expect(try date(name) == old, "\(name) was rewritten") }
        }
        #expect(FileManager.default.contents(atPath: site + "/figures/traversals-animated.gif") == gif)
        #expect(try String(contentsOfFile: site + "/index.html", encoding: .utf8).contains("src=\"figures/traversals-animated.gif\""))
    }
}
