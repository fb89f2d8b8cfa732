import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// Runs a daemon's services in one `ServiceGroup` until SIGTERM or SIGINT, then shuts them down gracefully in
/// reverse order: the services listed last (the listeners clients use) stop first, those listed first (metrics)
/// last, so the final counts can still be scraped while the rest drains.
///
/// Graceful shutdown has a deadline: past it, the group cancels what is left, so a stuck request cannot keep a
/// stopped daemon alive. A service that throws cancels the group and `run` rethrows its error.
public enum Daemon {
    /// Returns the signal that stopped the daemon, or nil when the services ended by themselves.
    @discardableResult
    public static func run(
        _ services: [any Service], logger: Logger, shutdownDeadline: Duration = .seconds(10)
    ) async throws -> UnixSignal? {
        let watcher = TerminationSignalService(logger: logger)
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: watcher, successTerminationBehavior: .gracefullyShutdownGroup)]
                + services.map { .init(service: $0) },
            logger: logger
        )
        configuration.maximumGracefulShutdownDuration = shutdownDeadline
        configuration.maximumCancellationDuration = .seconds(2)
        try await ServiceGroup(configuration: configuration).run()
        return watcher.signal
    }
}

/// The signal a `TerminationSignalService` saw, read after the group ends.
final class ReceivedSignal: Sendable {
    private let stored = Mutex<UnixSignal?>(nil)
    func set(_ signal: UnixSignal) { stored.withLock { $0 = $0 ?? signal } }
    var value: UnixSignal? { stored.withLock { $0 } }
}
