import Logging
import ServiceLifecycle

/// A `HeadEndServer` as a service of the daemon's `ServiceGroup`: it accepts until graceful shutdown (SIGTERM),
/// then closes the listener and gives connections `drain` to finish the frame at hand.
public struct HeadEndService: Service, CustomStringConvertible {
    public let server: HeadEndServer
    public let drain: Duration
    private let logger: Logger

    public init(_ server: HeadEndServer, drain: Duration = .seconds(2), logger: Logger) {
        self.server = server
        self.drain = drain
        self.logger = logger
    }

    public func run() async throws {
        let server = self.server
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await server.run() }
            // Returns on graceful shutdown, throws when cancelled: both mean stop.
            try? await gracefulShutdown()
            await server.shutdown(drain: drain)
            await group.waitForAll()
        }
        logger.info("closed the gateway listener on \(server.host):\(server.port)")
    }

    public var description: String { "HeadEndService(\(server.host):\(server.port))" }
}
