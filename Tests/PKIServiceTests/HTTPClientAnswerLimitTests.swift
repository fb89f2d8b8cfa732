import NIOCore
import NIOPosix
import PKI
import Testing
import Transport

/// A hostile server cannot make a client buffer without limit: an answer past `maximumAnswerSize` fails the request
/// with a typed error naming the server and the limit, whether the server announces its length or just keeps sending.
@Suite("HTTP clients take bounded answers")
struct HTTPClientAnswerLimitTests {
    @Test("an answer that never ends is cut at the limit", arguments: [nil, 1 << 30] as [Int?])
    func endlessAnswer(announcedLength: Int?) async throws {
        let server = try await EndlessAnswerListener(announcedLength: announcedLength)
        let client = HTTPSClient(timeouts: .patient, maximumAnswerSize: 100_000)
        let address = HostAndPort(host: "127.0.0.1", port: server.port)
        do throws(HTTPClientError) {
            _ = try await client.request(.GET, "/crl", at: address)
            Issue.record("an endless answer was taken whole")
        } catch {
            #expect(error == .answerTooLarge(host: "127.0.0.1", port: server.port, limit: 100_000))
            #expect(error.description == "127.0.0.1:\(server.port) sent an answer over the limit of 100000 bytes")
        }
        await client.shutdown()
        await server.close()
    }

    @Test("the directory client reports an oversized answer as unusable, not as pkid unreachable")
    func directoryAnswerTooLarge() async throws {
        let server = try await EndlessAnswerListener(announcedLength: nil)
        let url = "http://127.0.0.1:\(server.port)"
        let client = try DirectoryClient(url: url, timeouts: .patient)
        await #expect(throws: DirectoryError.malformedAnswer(
            directory: url, reason: "127.0.0.1:\(server.port) sent an answer over the limit of \(HTTPSClient.defaultMaximumAnswerSize) bytes"
        )) {
            try await client.certificate(serial: try CertificateSerial(parsing: "0A"))
        }
        await client.shutdown()
        await server.close()
    }
}

/// A real listener on 127.0.0.1 that answers every request `200 OK` with a body of `A`s that goes on until the client
/// closes: a hostile server. With `announcedLength` it says the body is that long, else the body ends at the close.
final class EndlessAnswerListener: Sendable {
    let channel: any Channel
    var port: Int { channel.localAddress?.port ?? 0 }

    init(announcedLength: Int?) async throws {
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(EndlessAnswer(announcedLength: announcedLength))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
    }

    func close() async {
        try? await channel.close()
    }
}

/// Answers the first bytes of a request, then writes the next chunk each time the last one is out, until a write
/// fails because the client closed.
private final class EndlessAnswer: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let announcedLength: Int?
    var answering = false

    init(announcedLength: Int?) {
        self.announcedLength = announcedLength
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answering else { return }
        answering = true
        let length = announcedLength.map { "Content-Length: \($0)\r\n" } ?? ""
        context.write(wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 200 OK\r\n\(length)Connection: close\r\n\r\n")), promise: nil)
        writeChunk(context: context)
    }

    private func writeChunk(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(repeating: UInt8(ascii: "A"), count: 16 * 1024)))
            .assumeIsolated()
            .whenSuccess { self.writeChunk(context: context) }
    }
}
