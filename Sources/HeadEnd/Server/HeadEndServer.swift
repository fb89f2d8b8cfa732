import COSEM
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
import Transport

/// The head-end's listener: gateways connect over mutual TLS, send signed record frames in the DLMS TCP wrapper, and
/// get a signed acknowledgement for each, in the order the frames came (a gateway pipelines a window of frames and
/// matches answers by order and id).
///
/// - TLS 1.2/1.3 with AEAD suites only (`TLSConfigurations.serverRequiringClientCertificate`), the server key an
///   `any Signer` (a token key through `SignerTLSKey`, signing off the event loop).
/// - The client certificate is checked inside the handshake by `GatewayCertificateCheck` (chain, validity, `tls`
///   profile, CRL, CN a system title); a refusal ends the handshake and logs one line with the reason.
/// - Each connection runs as one task (`NIOAsyncChannel`) that processes its frames one after another with
///   `FrameProcessor`: verification, the store's writes and the acknowledgement's signature all happen off the
///   event loop, so a slow token or disk never stalls other connections.
/// - Bounded: a handshake timeout (from the accept), an idle timeout (from the completed handshake), a deadline for
///   each frame from its first byte (`FrameDeadline`), a maximum frame size, a maximum number of connections of which
///   those still in their handshake take at most `maxHandshakes`, and `maxHandshakesPerAddress` from one address. At
///   the limit the oldest connection still in its handshake makes room (pkid's `ConnectionRegistry`), so a flood of
///   silent sockets never keeps a reconnecting gateway out.
/// - No TLS session resumption: every connection gets a TLS context of its own, so a session ticket or cached
///   session of an earlier connection is unknown to it and every handshake runs the certificate check, revocation
///   included. (NIOSSL has no setting for BoringSSL's session cache or tickets; a resumed session skips the
///   verification callback, and the security review resumed the session of a certificate revoked since.) The cost
///   is building the context, 0.06 ms measured in a debug build, beside a handshake's ECDHE and signature.
/// - Repeated log lines (refused handshakes, connections closed for room, frame timeouts) are one line per interval
///   with a count (`RepeatedEventLog`): a flood once wrote 558,229 lines in 60 s.
///
/// The server binds in `init` (a busy port fails the daemon before it announces anything); `run` accepts until
/// `shutdown` closes the listener.
public final class HeadEndServer: Sendable {
    public let host: String
    /// The port bound (the one the system chose, for port 0).
    public let port: Int
    public let limits: HeadEndServerLimits
    private let listener: NIOAsyncChannel<GatewayConnection, Never>
    private let processor: FrameProcessor
    /// Signed requests to the connected gateways, and their answers (`RequestRouter`).
    public let router: RequestRouter
    private let connections: ConnectionRegistry
    private let events: RepeatedEventLog
    private let logger: Logger

    /// - Parameter logInterval: how long repeated lines are counted before their line with the count.
    public init(
        host: String, port: Int, tls: TLSConfiguration, check: GatewayCertificateCheck, processor: FrameProcessor,
        router: RequestRouter = RequestRouter(), limits: HeadEndServerLimits = HeadEndServerLimits(), group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "headend"), logInterval: Duration = .seconds(10)
    ) async throws(HeadEndServerError) {
        self.host = host
        self.limits = limits
        self.processor = processor
        self.router = router
        self.logger = logger
        let events = RepeatedEventLog(logger: logger, interval: logInterval)
        self.events = events
        let connections = ConnectionRegistry(limit: limits.maxConnections, maxWaiting: limits.maxHandshakes,
                                             maxWaitingPerAddress: limits.maxHandshakesPerAddress, listener: "gateways", events: events)
        self.connections = connections
        do {
            // Built here once so that a configuration BoringSSL refuses fails the start, not every connection.
            _ = try NIOSSLContext(configuration: tls)
        } catch {
            throw .unusableTLSConfiguration(reason: "\(error)")
        }
        do {
            listener = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ConnectionLimiter(registry: connections))
                    }
                }
                .bind(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        guard let ticket = connections.admit(channel) else {
                            // Failing the initializer alone leaves the socket open, the client waiting for a
                            // ServerHello that never comes: close it.
                            channel.close(promise: nil)
                            throw ConnectionLimitReached()
                        }
                        let identity = ConnectionIdentity()
                        let pipeline = channel.pipeline.syncOperations
                        // A context of its own: no session of another connection can be resumed on it.
                        let context = try NIOSSLContext(configuration: tls)
                        try pipeline.addHandler(NIOSSLServerHandler(context: context) { chain, promise in
                            Self.verify(chain, identity: identity, check: check, peer: channel.remoteAddress, events: events, promise: promise)
                        })
                        try pipeline.addHandler(ConnectionGuard(identity: identity, registry: connections, ticket: ticket,
                                                                 handshakeTimeout: TimeAmount(limits.handshakeTimeout),
                                                                 idleTimeout: TimeAmount(limits.idleTimeout), logger: logger, events: events))
                        try pipeline.addHandler(FrameDeadline(timeout: TimeAmount(limits.frameTimeout), identity: identity, events: events))
                        try pipeline.addHandler(ByteToMessageHandler(WrapperFrameDecoder(maxAPDUSize: limits.maxFrameSize)))
                        try pipeline.addHandler(MessageToByteHandler(WrapperFrameEncoder()))
                        let async = try NIOAsyncChannel<WrapperFrame, WrapperFrame>(wrappingChannelSynchronously: channel)
                        return GatewayConnection(identity: identity, channel: async)
                    }
                }
        } catch {
            throw .cannotListen(host: host, port: port, reason: "\(error)")
        }
        self.port = listener.channel.localAddress?.port ?? port
    }

    /// Runs `check` off the event loop and completes BoringSSL's verification with its answer.
    private static func verify(
        _ chain: [NIOSSLCertificate], identity: ConnectionIdentity, check: GatewayCertificateCheck, peer: SocketAddress?,
        events: RepeatedEventLog, promise: EventLoopPromise<NIOSSLVerificationResult>
    ) {
        let der = chain.compactMap { try? $0.toDERBytes() }
        promise.completeWithTask {
            switch await check.check(chain: der) {
            case .success(let gateway):
                identity.accept(gateway)
                return .certificateVerified
            case .failure(let refusal):
                identity.refuse(refusal)
                HeadEndMetrics.tlsRefused(refusal.label)
                events.log("refused-\(refusal.label)", level: .notice, "TLS handshake refused: \(refusal)",
                           metadata: ["peer": "\(SocketAddress.describe(peer))"])
                return .failed
            }
        }
    }

    /// Accepts connections until `shutdown` closes the listener, each served by a task of its own; returns when the
    /// listener and every connection are closed.
    public func run() async {
        do {
            try await listener.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in inbound {
                        group.addTask { await self.serve(connection) }
                    }
                }
            }
        } catch {
            logger.error("the listener failed: \(error)")
        }
    }

    /// Processes a connection's frames one after another and answers each, in order.
    private func serve(_ connection: GatewayConnection) async {
        do {
            try await connection.channel.executeThenClose { inbound, outbound in
                var registration: (gateway: SystemTitle, token: Int)?
                defer { if let registration { router.unregister(registration.gateway, token: registration.token) } }
                for try await frame in inbound {
                    // The handshake set it before the first byte of data could arrive.
                    guard let gateway = connection.identity.gateway else { return }
                    // From its first frame on, signed requests to this gateway go down this connection.
                    if registration == nil { registration = (gateway, router.register(gateway, writer: outbound)) }
                    // The answer to a signed request is the requester's, not a reading.
                    if router.deliver(frame.apdu, from: gateway) { continue }
                    // An acknowledgement, or the answer to the gateway's ledger query.
                    let answer = try await processor.answer(frame.apdu, from: gateway)
                    try await outbound.write(try WrapperFrame(source: frame.destination, destination: frame.source, apdu: answer))
                }
            }
        } catch let error as NIOSSLError {
            logger.debug("connection ended: \(error)", metadata: ["gateway": "\(connection.identity.gateway.map { "\($0)" } ?? "?")"])
        } catch let error as WrapperError {
            // A wrong version or a frame above the size limit: the stream cannot be resynchronised.
            logger.notice("closing the connection: \(error)", metadata: ["gateway": "\(connection.identity.gateway.map { "\($0)" } ?? "?")"])
        } catch let error as ChannelError {
            logger.debug("connection ended: \(error)", metadata: ["gateway": "\(connection.identity.gateway.map { "\($0)" } ?? "?")"])
        } catch {
            // Not the network: the acknowledgement could not be signed (the token is gone) or framed. The gateway,
            // getting no answer, sends the frame again on a new connection; a stored reading then counts as a duplicate.
            logger.error("closing the connection: \(error)", metadata: ["gateway": "\(connection.identity.gateway.map { "\($0)" } ?? "?")"])
        }
    }

    /// Stops accepting at once; open connections get `drain` to finish the frame at hand, then are closed.
    public func shutdown(drain: Duration = .seconds(2)) async {
        try? await listener.channel.close()
        defer { events.flush() }
        let open = connections.snapshot
        guard !open.isEmpty else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for channel in open { try? await channel.closeFuture.get() }
            }
            group.addTask {
                try? await Task.sleep(for: drain)
                // Half-close: the gateway sees the end, the frame being processed is still answered.
                for channel in self.connections.snapshot { channel.close(promise: nil) }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// How many connections are open.
    public var openConnections: Int { connections.snapshot.count }

    /// How many connections completed their TLS handshake since the server started.
    public var handshakesCompleted: Int { connections.everBusy }

    /// What the connection bookkeeping holds (open and handshaking connections, accept order, source addresses):
    /// all zero once the connections are gone, however many a flood brought.
    public var bookkeeping: (open: Int, waiting: Int, order: Int, addresses: Int) { connections.held }
}

/// A connection as the accept loop hands it over: the async channel and what its handshake learnt.
struct GatewayConnection: Sendable {
    let identity: ConnectionIdentity
    let channel: NIOAsyncChannel<WrapperFrame, WrapperFrame>
}

/// A connection closed at once: the listener is full of authenticated gateways.
struct ConnectionLimitReached: Error {}
