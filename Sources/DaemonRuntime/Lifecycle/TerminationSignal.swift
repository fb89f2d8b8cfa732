import Logging
import ServiceLifecycle
import UnixSignals

/// SIGTERM and SIGINT, the two ways a daemon is asked to stop (by systemd, by a test, by Ctrl-C).
public enum TerminationSignal {
    public static let trapped: [UnixSignal] = [.sigterm, .sigint]

    /// Suspends until SIGTERM or SIGINT arrives and returns it (`SIGTERM` as text). For a command that serves
    /// until stopped without a `ServiceGroup`, like `gatewayctl meter simulate`; daemons use `Daemon.run`.
    public static func next() async -> UnixSignal? {
        for await signal in await UnixSignalsSequence(trapping: trapped) { return signal }
        return nil
    }
}

/// The first service of every daemon's group: it waits for SIGTERM or SIGINT, remembers which, and returns, which
/// shuts the group down gracefully. The group itself traps no signal, so the signal is seen once and can be named.
final class TerminationSignalService: Service, CustomStringConvertible {
    private let received = ReceivedSignal()
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: TerminationSignal.trapped)
        for await signal in signals.cancelOnGracefulShutdown() {
            logger.info("\(signal): shutting down gracefully")
            received.set(signal)
            return
        }
    }

    var signal: UnixSignal? { received.value }
    var description: String { "TerminationSignalService" }
}
