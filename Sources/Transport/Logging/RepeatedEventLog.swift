import Logging
import Synchronization

/// Logs an event that a client can repeat at will (a refused handshake, a connection closed for room) as one line
/// per interval with a count, instead of one line per event.
///
/// The security review flooded the head-end and got one warning per refused connection: 558,229 lines (74.6 MB) in
/// 60 s, which fills a disk and buries every other line. Here the first event of a quiet period is logged at once,
/// as it happened (an operator sees the first example without delay); the others within `interval` are only
/// counted, and when the interval ends one line repeats the latest of them with `count` (every event of the
/// interval, the first included) in its metadata. An event after a quiet interval starts a new one. So a flood of
/// any size costs two lines per kind of event per interval.
///
/// Events are told apart by `key`, which callers take from a small fixed set (a reason, not a peer address): a key
/// per peer would bring back one line per connection, and the table would grow with the flood.
public final class RepeatedEventLog: Sendable {
    private struct Window {
        var count: Int
        var level: Logger.Level
        var message: Logger.Message
        var metadata: Logger.Metadata
        var end: Task<Void, Never>?
    }

    public let interval: Duration
    private let logger: Logger
    private let windows = Mutex<[String: Window]>([:])

    public init(logger: Logger, interval: Duration = .seconds(10)) {
        self.logger = logger
        self.interval = interval
    }

    /// Logs `message` now if no event of `key` was logged within the interval, else counts it for the interval's line.
    public func log(_ key: String, level: Logger.Level, _ message: Logger.Message, metadata: Logger.Metadata = [:]) {
        let first = windows.withLock { windows -> Bool in
            if var window = windows[key] {
                window.count += 1
                window.level = level
                window.message = message
                window.metadata = metadata
                windows[key] = window
                return false
            }
            windows[key] = Window(count: 1, level: level, message: message, metadata: metadata)
            return true
        }
        guard first else { return }
        logger.log(level: level, message, metadata: metadata)
        let interval = self.interval
        let end = Task { [weak self] in
            try? await Task.sleep(for: interval)
            guard !Task.isCancelled else { return }
            self?.close(key)
        }
        windows.withLock { $0[key]?.end = end }
    }

    /// Ends every interval now, logging what each counted: at shutdown, so no count is lost.
    public func flush() {
        for key in windows.withLock({ Array($0.keys) }) { close(key) }
    }

    /// How many events of `key` the current interval has counted (0 when quiet).
    public func pending(_ key: String) -> Int {
        windows.withLock { $0[key]?.count ?? 0 }
    }

    private func close(_ key: String) {
        guard let window = windows.withLock({ $0.removeValue(forKey: key) }) else { return }
        window.end?.cancel()
        guard window.count > 1 else { return }
        var metadata = window.metadata
        metadata["count"] = "\(window.count)"
        metadata["interval"] = "\(interval)"
        logger.log(level: window.level, "\(window.message) (repeated: \(window.count) times within \(interval))", metadata: metadata)
    }
}
