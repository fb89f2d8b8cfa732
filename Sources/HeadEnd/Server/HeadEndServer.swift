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
/// - Bounded: a handshake timeout (from the accept), an idle timeout (from the completed handshake), a maximum frame
///   size, a maximum number of connections.
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
    private let connections: ConnectionSet
    private let logger: Logger

    public init(
        host: String, port: Int, tls: TLSConfiguration, check: GatewayCertificateCheck, processor: FrameProcessor,
        router: RequestRouter = RequestRouter(), limits: HeadEndServerLimits = HeadEndServerLimits(), group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "headend")
    ) async throws(HeadEndServerError) {
        self.host = host
        self.limits = limits
        self.processor = processor
        self.router = router
        self.logger = logger
        let connections = ConnectionSet(limit: limits.maxConnections)
        self.connections = connections
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: tls)
        } catch {
            throw .unusableTLSConfiguration(reason: "\(error)")
        }
        do {
            listener = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        guard connections.admit(channel) else {
                            logger.warning("connection limit reached (\(limits.maxConnections)): closing a new connection",
                                           metadata: ["peer": "\(ConnectionGuard.describe(channel.remoteAddress))"])
                            // Failing the initializer alone leaves the socket open, the client waiting for a
                            // ServerHello that never comes: close it.
                            channel.close(promise: nil)
                            throw ConnectionLimitReached()
                        }
                        let identity = ConnectionIdentity()
                        let pipeline = channel.pipeline.syncOperations
                        try pipeline.addHandler(NIOSSLServerHandler(context: context) { chain, promise in
                            Self.verify(chain, identity: identity, check: check, peer: channel.remoteAddress, logger: logger, promise: promise)
                        })
                        try pipeline.addHandler(ConnectionGuard(identity: identity, handshakeTimeout: TimeAmount(limits.handshakeTimeout),
                                                                 idleTimeout: TimeAmount(limits.idleTimeout), logger: logger))
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
        logger: Logger, promise: EventLoopPromise<NIOSSLVerificationResult>
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
                logger.notice("TLS handshake refused: \(refusal)", metadata: ["peer": "\(ConnectionGuard.describe(peer))"])
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
        defer { connections.remove(connection.channel.channel) }
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
}

/// A connection as the accept loop hands it over: the async channel and what its handshake learnt.
struct GatewayConnection: Sendable {
    let identity: ConnectionIdentity
    let channel: NIOAsyncChannel<WrapperFrame, WrapperFrame>
}

struct ConnectionLimitReached: Error {}

/// The open connections, for the limit and for closing them at shutdown.
final class ConnectionSet: Sendable {
    private let limit: Int
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    init(limit: Int) {
        self.limit = limit
    }

    func admit(_ channel: any Channel) -> Bool {
        let admitted = channels.withLock { channels in
            guard channels.count < limit else { return false }
            channels[ObjectIdentifier(channel)] = channel
            return true
        }
        if admitted {
            channel.closeFuture.whenComplete { [weak self] _ in self?.remove(channel) }
        }
        return admitted
    }

    func remove(_ channel: any Channel) {
        _ = channels.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    var snapshot: [any Channel] { channels.withLock { Array($0.values) } }
}
