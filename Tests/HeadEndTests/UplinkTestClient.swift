import COSEM
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Signing
import Synchronization
import Transport
import X509

/// A gateway's uplink as far as the tests need one: mutual TLS to the head-end, wrapper frames out, wrapper frames
/// back. Frames are written all at once (the gateway pipelines a window) and the answers read in order.
struct UplinkTestClient {
    let channel: NIOAsyncChannel<WrapperFrame, WrapperFrame>

    /// Connects with `chain`/`key` as the client certificate (none when empty), trusting `roots` for the server.
    static func connect(port: Int, roots: [Certificate], chain: [Certificate], key: (any Signer)?) async throws -> UplinkTestClient {
        let tls = try TLSConfigurations.client(trustRoots: roots, chain: chain, key: key)
        let context = try NIOSSLContext(configuration: tls)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(try NIOSSLClientHandler(context: context, serverHostname: "localhost"))
                    try pipeline.addHandler(ByteToMessageHandler(WrapperFrameDecoder(maxAPDUSize: 65535)))
                    try pipeline.addHandler(MessageToByteHandler(WrapperFrameEncoder()))
                    return try NIOAsyncChannel<WrapperFrame, WrapperFrame>(wrappingChannelSynchronously: channel)
                }
            }
        return UplinkTestClient(channel: channel)
    }

    /// Sends the frames (wPorts 1 → 1 as gatewayd does, source 16 for the first so the swap is visible) and returns the
    /// answers, as many as came before the server closed or `frames.count`. With no frames, it reads until the server
    /// closes.
    func exchange(_ frames: [[UInt8]]) async throws -> [WrapperFrame] {
        // A server that neither answers nor closes fails the test instead of hanging the run.
        let stuck = channel.channel
        let watchdog = Task {
            try await Task.sleep(for: .seconds(60))
            stuck.close(promise: nil)
        }
        defer { watchdog.cancel() }
        return try await channel.executeThenClose { inbound, outbound in
            for frame in frames {
                try await outbound.write(try WrapperFrame(source: 16, destination: 1, apdu: frame))
            }
            var answers: [WrapperFrame] = []
            for try await answer in inbound {
                answers.append(answer)
                if !frames.isEmpty && answers.count == frames.count { break }
            }
            return answers
        }
    }
}

/// Log lines kept in memory, to assert that a refused handshake says why.
final class CapturedLogs: Sendable {
    private let lines = Mutex<[String]>([])

    var all: [String] { lines.withLock { $0 } }
    func append(_ line: String) { lines.withLock { $0.append(line) } }

    var logger: Logger {
        Logger(label: "headend-test") { _ in CapturingHandler(logs: self) }
    }

    /// Waits (up to `timeout`) for a line containing `text`: the server logs a refusal on its own task, maybe after the
    /// client saw the connection close.
    func waitFor(_ text: String, timeout: Duration = .seconds(10)) async -> String? {
        let clock = ContinuousClock()
        let end = clock.now.advanced(by: timeout)
        while clock.now < end {
            if let line = all.first(where: { $0.contains(text) }) { return line }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }
}

struct CapturingHandler: LogHandler {
    let logs: CapturedLogs
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let tail = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        logs.append("\(event.level) \(event.message) \(tail)")
    }
}
