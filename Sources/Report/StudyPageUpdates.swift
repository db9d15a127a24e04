import Foundation
import Training

/// Rewrites a study's page as its runs finish, one writer at a time: runs training side by side
/// finish in their own threads, and the page and its figures must not be drawn twice at once.
public final class StudyPageUpdates: @unchecked Sendable {
    private let folder: String
    private let templates: Templates
    private let lock = NSLock()

    public init(folder: String, templates: Templates) {
        self.folder = folder
        self.templates = templates
    }

    /// Writes the page from the runs in now; returns its path.
    @discardableResult
    public func update() throws -> String {
        lock.lock(); defer { lock.unlock() }
        return try StudyPage.write(folder: folder, templates: templates)
    }
}
