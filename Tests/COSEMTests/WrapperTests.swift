@testable import COSEM
import NIOCore
import NIOEmbedded
import Testing
import Transport

@Suite("IEC 62056-4-7 wrapper")
struct WrapperTests {
    static let getRequest = bytes("C001C1000301000108 00FF0200")

    @Test("a frame is version, source, destination, length, APDU")
    func encoding() throws {
        let frame = try WrapperFrame(source: 16, destination: 1, apdu: Self.getRequest)
        #expect(frame.encoded == bytes("0001 0010 0001 000D") + Self.getRequest)
        #expect(try WrapperFrame(decoding: frame.encoded) == frame)
        #expect(try WrapperFrame(decoding: bytes("0001 0001 0010 0000")).apdu == [])
    }

    @Test("malformed frames give typed errors")
    func errors() {
        func error(_ input: [UInt8], max: Int = 65535) -> WrapperError? {
            do {
                _ = try WrapperFrame(decoding: input, maxAPDUSize: max)
                return nil
            } catch { return error }
        }
        #expect(error(bytes("000100100001")) == .truncatedHeader(available: 6))
        #expect(error(bytes("0002 0010 0001 0000")) == .unsupportedVersion(2))
        #expect(error(bytes("0001 0010 0001 0003 AABB")) == .truncatedAPDU(expected: 3, available: 2))
        #expect(error(bytes("0001 0010 0001 0001 AABB")) == .trailingBytes(count: 1))
        #expect(error(bytes("0001 0010 0001 FFFF"), max: 100) == .oversized(length: 65535, limit: 100))
        do {
            _ = try WrapperFrame(source: 1, destination: 1, apdu: [UInt8](repeating: 0, count: 65536))
            Issue.record("65536-byte APDU accepted")
        } catch {
            #expect(error == .apduTooLong(65536))
        }
    }

    private func channel(max: Int = 4096) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(WrapperFrameDecoder(maxAPDUSize: max)))
        return channel
    }

    private func buffer(_ bytes: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: bytes) }

    @Test("a frame split across reads reassembles")
    func splitFrame() throws {
        let channel = try channel()
        let wire = try WrapperFrame(source: 1, destination: 16, apdu: VectorTests.dataNotification).encoded
        for chunk in [wire[0 ..< 3], wire[3 ..< 9], wire[9 ..< 20], wire[20...]] {
            #expect(try channel.readInbound(as: WrapperFrame.self) == nil)
            try channel.writeInbound(buffer(Array(chunk)))
        }
        let frame = try #require(try channel.readInbound(as: WrapperFrame.self))
        #expect(frame.source == 1 && frame.destination == 16)
        #expect(frame.apdu == VectorTests.dataNotification)
        #expect(try channel.readInbound(as: WrapperFrame.self) == nil)
        #expect(try channel.finish().isClean)
    }

    @Test("two frames in one read both come out, in order")
    func twoFrames() throws {
        let channel = try channel()
        let first = try WrapperFrame(source: 16, destination: 1, apdu: Self.getRequest)
        let second = try WrapperFrame(source: 1, destination: 16, apdu: bytes("C401C100060001E240"))
        try channel.writeInbound(buffer(first.encoded + second.encoded + [0x00, 0x01]))
        #expect(try channel.readInbound(as: WrapperFrame.self) == first)
        #expect(try channel.readInbound(as: WrapperFrame.self) == second)
        #expect(try channel.readInbound(as: WrapperFrame.self) == nil)
        _ = try? channel.finish()
    }

    @Test("an oversized length header is an error, not a buffer that grows")
    func oversized() throws {
        let channel = try channel(max: 100)
        #expect(throws: WrapperError.oversized(length: 101, limit: 100)) {
            try channel.writeInbound(self.buffer(bytes("0001 0010 0001 0065")))
        }
        _ = try? channel.finish()
    }

    @Test("a wrong version is an error")
    func badVersion() throws {
        let channel = try channel()
        #expect(throws: WrapperError.unsupportedVersion(0x4745)) {
            try channel.writeInbound(self.buffer(Array("GET / HTTP/1.1\r\n".utf8)))
        }
        _ = try? channel.finish()
    }

    @Test("the encoder writes header and APDU")
    func encoder() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(MessageToByteHandler(WrapperFrameEncoder()))
        try channel.writeOutbound(try WrapperFrame(source: 16, destination: 1, apdu: Self.getRequest))
        let out = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(Array(out.readableBytesView) == bytes("0001001000 01000D") + Self.getRequest)
        _ = try? channel.finish()
    }
}
