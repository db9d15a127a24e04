import Foundation

/// Writes a line to standard output at once. `print` is block-buffered when stdout is a pipe or a
/// file, which would hold back every epoch's line until the program ends.
public func writeLine(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Where training reports how it is going.
public protocol ProgressReporter: AnyObject {
    /// After each step: position in the epoch, throughput, running loss, estimated seconds left.
    func step(epoch: Int, epochs: Int, batch: Int, batches: Int, imagesPerSecond: Double, loss: Double, secondsLeft: Double)
    /// After each epoch: one summary line.
    func epochFinished(_ line: String)
    /// Free-form messages (resume, interruption).
    func message(_ line: String)
    /// After each epoch's metrics, snapshot and checkpoint are on disk (epoch 0 included): a live
    /// report may read the run folder now. Does nothing unless a reporter needs it.
    func epochSaved(epoch: Int, of epochs: Int)
}

extension ProgressReporter {
    public func epochSaved(epoch: Int, of epochs: Int) {}
}

/// A progress bar redrawn in place on a terminal (stderr), at most ten times a second.
public final class TerminalProgress: ProgressReporter {
    private var lastDraw = 0.0
    public init() {}

    public func step(epoch: Int, epochs: Int, batch: Int, batches: Int, imagesPerSecond: Double, loss: Double, secondsLeft: Double) {
        let now = Date().timeIntervalSince1970
        guard now - lastDraw > 0.1 || batch == batches else { return }
        lastDraw = now
        let width = 24
        let filled = batches > 0 ? width * batch / batches : width
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let left = Int(secondsLeft.rounded())
        let line = String(format: "\repoch %d/%d %@ %3d%%  %7.0f img/s  loss %9.3f  %d:%02d left ",
                          epoch, epochs, bar, batches > 0 ? 100 * batch / batches : 100, imagesPerSecond, loss, left / 60, left % 60)
        FileHandle.standardError.write(Data(line.utf8))
    }

    public func epochFinished(_ line: String) {
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        writeLine(line)
    }

    public func message(_ line: String) {
        // A message mid-epoch (the time estimate) would otherwise land after the bar on its line.
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        writeLine(line)
    }
}

/// One plain line per epoch, for logs and pipes.
public final class PlainProgress: ProgressReporter {
    public init() {}
    public func step(epoch: Int, epochs: Int, batch: Int, batches: Int, imagesPerSecond: Double, loss: Double, secondsLeft: Double) {}
    public func epochFinished(_ line: String) { writeLine(line) }
    public func message(_ line: String) { writeLine(line) }
}

/// Reports nothing (tests, benchmarks).
public final class SilentProgress: ProgressReporter {
    public init() {}
    public func step(epoch: Int, epochs: Int, batch: Int, batches: Int, imagesPerSecond: Double, loss: Double, secondsLeft: Double) {}
    public func epochFinished(_ line: String) {}
    public func message(_ line: String) {}
}
