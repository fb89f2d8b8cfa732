import COSEM
#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import X509

/// A TLS connection that carries DLMS wrapper frames: the gateway's uplink to the head-end. Connecting returns once
/// the handshake is complete, with the server's certificate, so the caller checks what TLS cannot (revocation, the
/// expected system title) before a frame is written.
public struct WrapperConnection: Sendable {
    public let channel: NIOAsyncChannel<WrapperFrame, WrapperFrame>
    /// The server's leaf certificate as the handshake presented it (chain-checked against the trust roots already).
    public let peerCertificate: Certificate

    /// Connects and completes the TLS handshake within `connectTimeout` + `handshakeTimeout`.
    ///
    /// - Parameter serverHostname: the name the server certificate must carry (SNI and BoringSSL's name check); nil
    ///   checks the chain only, for a caller that checks the name itself (the head-end's system title is its
    ///   certificate's CN, which BoringSSL does not compare).
    public static func connect(
        host: String, port: Int, tls: TLSConfiguration, serverHostname: String? = nil,
        connectTimeout: Duration, handshakeTimeout: Duration, maxAPDUSize: Int = 4096
    ) async throws(WrapperConnectionError) -> WrapperConnection {
        let context: NIOSSLContext
        do { context = try NIOSSLContext(configuration: tls) } catch {
            throw .tls(host: host, port: port, reason: "the TLS configuration is unusable: \(error)")
        }
        let handshake = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: Void.self)
        let channel: NIOAsyncChannel<WrapperFrame, WrapperFrame>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(TimeAmount(connectTimeout))
                .channelOption(.socketOption(.so_keepalive), value: 1)
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        try pipeline.addHandler(try NIOSSLClientHandler(context: context, serverHostname: serverHostname))
                        try pipeline.addHandler(HandshakeWaiter(promise: handshake))
                        try pipeline.addHandler(ByteToMessageHandler(WrapperFrameDecoder(maxAPDUSize: maxAPDUSize)))
                        try pipeline.addHandler(MessageToByteHandler(WrapperFrameEncoder()))
                        return try NIOAsyncChannel<WrapperFrame, WrapperFrame>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            handshake.fail(ChannelError.ioOnClosedChannel)
            throw .unreachable(host: host, port: port, reason: "\(error)")
        }
        let timeout = channel.channel.eventLoop.scheduleTask(in: TimeAmount(handshakeTimeout)) {
            handshake.fail(WrapperConnectionError.handshakeTimeout(host: host, port: port, after: handshakeTimeout))
        }
        do {
            try await handshake.futureResult.get()
            timeout.cancel()
        } catch {
            timeout.cancel()
            await closeUnused(channel)
            if let error = error as? WrapperConnectionError { throw error }
            if closedByServer(error) { throw .closedByServer(host: host, port: port) }
            throw .tls(host: host, port: port, reason: "\(error)")
        }
        let peer: Certificate
        do {
            let handler = try await channel.channel.pipeline.handler(type: NIOSSLClientHandler.self).get()
            guard let presented = handler.peerCertificate else { throw WrapperConnectionError.tls(host: host, port: port, reason: "the server presented no certificate") }
            peer = try Certificate(derEncoded: try presented.toDERBytes())
        } catch {
            await closeUnused(channel)
            throw .tls(host: host, port: port, reason: "the server certificate is unreadable: \(error)")
        }
        return WrapperConnection(channel: channel, peerCertificate: peer)
    }

    /// Closes a connection the caller will not use (a server it refused). Every connection is closed this way or
    /// through `channel.executeThenClose`: the writer must be finished before it is released, or NIO stops the
    /// process ("Deinited NIOAsyncWriter without calling finish()") whenever the release beats the close.
    public func close() async {
        await Self.closeUnused(channel)
    }

    private static func closeUnused(_ channel: NIOAsyncChannel<WrapperFrame, WrapperFrame>) async {
        try? await channel.executeThenClose { _, _ in }
    }

    /// Whether the handshake ended because the server closed the connection (no TLS alert): a head-end at its
    /// connection limit, shutting down, or closing a connection it does not want. Its words are not the trust
    /// anchors' and certificates' (`tls`), which would send the operator the wrong way.
    private static func closedByServer(_ error: any Error) -> Bool {
        if let error = error as? ChannelError, error == .eof || error == .ioOnClosedChannel { return true }
        if let error = error as? NIOSSLError {
            switch error {
            case .uncleanShutdown: return true
            case .handshakeFailed(.sslError(let errors)): return errors == [.eofDuringHandshake]
            default: return false
            }
        }
        if let error = error as? IOError, [ECONNRESET, EPIPE].contains(error.errnoCode) { return true }
        return false
    }
}

/// Completes a promise when the TLS handshake has completed, or fails it with the first error or the close that
/// ended the connection before.
private final class HandshakeWaiter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    private let promise: EventLoopPromise<Void>

    init(promise: EventLoopPromise<Void>) { self.promise = promise }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent { promise.succeed() }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(ChannelError.eof)
        context.fireChannelInactive()
    }
}

/// Why an uplink connection could not be had; each names the head-end's address.
public enum WrapperConnectionError: Error, Sendable, Hashable, CustomStringConvertible {
    case unreachable(host: String, port: Int, reason: String)
    case handshakeTimeout(host: String, port: Int, after: Duration)
    case tls(host: String, port: Int, reason: String)
    /// The server closed the connection before the handshake completed, without a TLS alert.
    case closedByServer(host: String, port: Int)

    public var description: String {
        switch self {
        case .unreachable(let host, let port, let reason):
            "the head-end at \(HostAndPort(host: host, port: port)) is unreachable (\(reason)); check upstream host and port and that headend runs"
        case .handshakeTimeout(let host, let port, let after):
            "the TLS handshake with \(HostAndPort(host: host, port: port)) did not complete within \(after); check that it is the head-end's TLS port"
        case .tls(let host, let port, let reason):
            "the TLS handshake with \(HostAndPort(host: host, port: port)) failed: \(reason); check the trust anchors, the gateway's tls certificate and the head-end's"
        case .closedByServer(let host, let port):
            "the head-end at \(HostAndPort(host: host, port: port)) closed the connection during the TLS handshake (at its connection limit, restarting, or refusing this gateway); the gateway tries again with back-off, and the head-end's log says why if it persists"
        }
    }
}
