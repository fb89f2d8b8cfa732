import Foundation
import Logging
import Synchronization
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A real, small filesystem for the disk-full tests: a tmpfs of `bytes` mounted in a scratch directory (root only;
/// the tests that need one are skipped elsewhere and say so), unmounted when released. `fill()` takes every free
/// byte with one file, `free()` removes it: the outbox and the status file then meet ENOSPC from the kernel, as on a
/// full disk, with no hook in the code under test.
final class SmallDisk: @unchecked Sendable {
    static var canMount: Bool { getuid() == 0 }

    let scratch: ScratchDirectory
    let root: String
    private var filler: String { root + "/filler" }

    init(bytes: Int) throws {
        scratch = try ScratchDirectory("small-disk")
        root = scratch.path("disk")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let mounted = "size=\(bytes),mode=0700".withCString { options in mount("tmpfs", root, "tmpfs", 0, options) }
        guard mounted == 0 else {
            throw SmallDiskError(reason: "mount tmpfs on \(root): \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        umount2(root, Int32(MNT_DETACH))
    }

    func path(_ name: String) -> String { root + "/" + name }

    /// Writes one file until the filesystem refuses: no free byte is left.
    func fill() throws {
        let descriptor = open(filler, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        guard descriptor >= 0 else { throw SmallDiskError(reason: "open \(filler): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        let block = [UInt8](repeating: 0xA5, count: 4096)
        while block.withUnsafeBytes({ write(descriptor, $0.baseAddress, $0.count) }) > 0 {}
        while block.withUnsafeBytes({ write(descriptor, $0.baseAddress, 1) }) > 0 {}
    }

    func free() {
        unlink(filler)
    }

    /// The names in the filesystem's root.
    func names() -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
    }
}

struct SmallDiskError: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}

/// Keeps every log message, so a test counts the lines an episode makes.
final class RecordingLogHandler: LogHandler, @unchecked Sendable {
    static let messages = Mutex<[String: [String]]>([:])
    let label: String
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    init(label: String) { self.label = label }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        Self.messages.withLock { $0[label, default: []].append("\(event.level): \(event.message)") }
    }

    /// A logger whose lines `lines(of:)` returns; the label should be unique per test.
    static func logger(_ label: String) -> Logger {
        Logger(label: label) { RecordingLogHandler(label: $0) }
    }

    static func lines(of label: String) -> [String] {
        messages.withLock { $0[label] ?? [] }
    }
}

/// Whether each write of a status file succeeded, in order.
final class WriteOutcomes: Sendable {
    private let outcomes = Mutex<[Bool]>([])
    func add(_ succeeded: Bool) { outcomes.withLock { $0.append(succeeded) } }
    var last: Bool? { outcomes.withLock { $0.last } }
}
