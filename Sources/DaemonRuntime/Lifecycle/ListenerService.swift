import Logging
import ServiceLifecycle
import Transport

/// An `HTTPServer` as a `Service`: it already listens when the group starts (so a busy port fails the daemon
/// before it announces anything), and on graceful shutdown it closes the listener at once and gives requests in
/// flight `drain` to finish. Cancelled (the group's deadline passed), it closes everything.
public struct ListenerService: Service, CustomStringConvertible {
    public let server: HTTPServer
    public let drain: Duration
    private let logger: Logger

    public init(_ server: HTTPServer, drain: Duration = .seconds(2), logger: Logger) {
        self.server = server
        self.drain = drain
        self.logger = logger
    }

    public func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            await server.stop()
            return
        }
        await server.shutdown(drain: drain)
        logger.info("closed the \(server.name) listener on \(server.host):\(server.port)")
    }

    public var description: String { "ListenerService(\(server.name))" }
}
