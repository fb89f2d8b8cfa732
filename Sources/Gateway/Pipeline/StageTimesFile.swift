import Foundation
import Logging
import Synchronization

/// The file `gatewayd --stage-times FILE` appends a `StageTimesRecord` to, one JSON line per delivered reading and
/// per answered signed request: for benchmarks, which read it while gatewayd runs.
///
/// Opened for appending, each line written with one `write(2)`: a reader never sees two lines interleaved, and at
/// worst the last line is partial while it is being written. A failed write (the disk is full) is logged and ends
/// the file: the readings go on, the figures stop, and a reader never sees a record missing in the middle.
public final class StageTimesFile: Sendable {
    public let path: String
    private let descriptor: Int32
    private let failed = Mutex(false)
    private let logger: Logger

    public init(path: String, logger: Logger) throws(StageTimesFileError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw StageTimesFileError(path: path, reason: String(cString: strerror(errno))) }
        self.path = path
        self.descriptor = descriptor
        self.logger = logger
    }

    deinit { close(descriptor) }

    public func append(_ record: StageTimesRecord) {
        guard !failed.withLock({ $0 }) else { return }
        do {
            let bytes = Array(try record.line().utf8) + [0x0A]
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard written == bytes.count else {
                throw StageTimesFileError(path: path, reason: written < 0 ? String(cString: strerror(errno)) : "only \(written) of \(bytes.count) bytes written")
            }
        } catch {
            let first = failed.withLock { failed in
                defer { failed = true }
                return !failed
            }
            if first { logger.error("stage times not recorded from now on: \(error)") }
        }
    }
}

public struct StageTimesFileError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "cannot write the stage times to \(path): \(reason); name a file in a writable directory" }
}
