import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Signing
import Transport
import X509

/// A mutual-TLS client that writes raw bytes and reports how its connection ended: what a test needs to trickle a
/// frame byte by byte, or to tell from the client's side a refused handshake (a TLS alert) from a connection the
/// server accepted and then closed.
struct RawTLSClient {
    /// How the server ended the connection, as the client saw it.
    enum End {
        case closed
        case failed(String)

        /// The server refused the handshake with a TLS alert (BoringSSL names it `..._ALERT_...`).
        var isTLSAlert: Bool {
            if case .failed(let error) = self { return error.uppercased().contains("ALERT") }
            return false
        }
    }

    let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>

    static func connect(port: Int, roots: [Certificate], chain: [Certificate], key: (any Signer)?) async throws -> RawTLSClient {
        let context = try NIOSSLContext(configuration: try TLSConfigurations.client(trustRoots: roots, chain: chain, key: key))
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: "localhost"))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return RawTLSClient(channel: channel)
    }

    /// Runs `writer` while reading until the server closes (or 60 s pass: a server that never closes fails the
    /// test instead of hanging the run); returns how the connection ended and how many bytes came back.
    func run(_ writer: @escaping @Sendable (NIOAsyncChannelOutboundWriter<ByteBuffer>) async throws -> Void) async -> (end: End, received: Int) {
        let stuck = channel.channel
        let watchdog = Task {
            try await Task.sleep(for: .seconds(60))
            stuck.close(promise: nil)
        }
        defer { watchdog.cancel() }
        var received = 0
        do {
            try await channel.executeThenClose { inbound, outbound in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    // A write after the server closed fails; the reading side reports why it closed.
                    group.addTask { try? await writer(outbound) }
                    defer { group.cancelAll() }
                    for try await buffer in inbound { received += buffer.readableBytes }
                }
            }
            return (.closed, received)
        } catch {
            return (.failed(String(describing: error)), received)
        }
    }
}
