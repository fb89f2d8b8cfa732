import COSEM
import TestSupport
import Testing

/// The wrapper's framing without NIO: bytes in any pieces, whole frames out, bounded memory.
@Suite("Wrapper frames from a byte stream, without NIO")
struct WrapperFrameSplitterTests {
    static func frame(_ fill: UInt8, length: Int) throws -> WrapperFrame {
        try WrapperFrame(source: 1, destination: 16, apdu: [UInt8](repeating: fill, count: length))
    }

    @Test("three frames come out whole and in order, however the stream is cut (every cut, and random pieces)")
    func pieces() throws {
        let frames = [try Self.frame(0xA1, length: 0), try Self.frame(0xB2, length: 5), try Self.frame(0xC3, length: 300)]
        let stream = frames.flatMap(\.encoded)
        for cut in 0...stream.count {
            var splitter = WrapperFrameSplitter()
            var out: [WrapperFrame] = []
            for piece in [stream[..<cut], stream[cut...]] {
                splitter.append(piece)
                while let frame = try splitter.next() { out.append(frame) }
            }
            #expect(out == frames, "cut at \(cut)")
            #expect(splitter.isAtFrameBoundary)
        }
        var random = SplitMix64(seed: 7)
        for _ in 0..<200 {
            var splitter = WrapperFrameSplitter()
            var out: [WrapperFrame] = []
            var offset = 0
            while offset < stream.count {
                let size = 1 + random.next(below: 40)
                splitter.append(stream[offset..<min(stream.count, offset + size)])
                offset += size
                while let frame = try splitter.next() { out.append(frame) }
            }
            #expect(out == frames)
        }
    }

    @Test("a half-received frame is held, not returned, and says the stream is not at a boundary")
    func partial() throws {
        var splitter = WrapperFrameSplitter()
        let wire = try Self.frame(0x11, length: 10).encoded
        splitter.append(wire.prefix(12))
        #expect(try splitter.next() == nil)
        #expect(splitter.bufferedByteCount == 12 && !splitter.isAtFrameBoundary)
    }

    @Test("an oversized length is refused as soon as its header is in, and the splitter stays failed; frames before it come out first")
    func oversized() throws {
        var splitter = WrapperFrameSplitter(maxAPDUSize: 100)
        let good = try Self.frame(0x22, length: 100)
        splitter.append(good.encoded + [0x00, 0x01, 0x00, 0x10, 0x00, 0x01, 0x00, 0x65])
        #expect(try splitter.next() == good)
        #expect(throws: WrapperError.oversized(length: 101, limit: 100)) { try splitter.next() }
        // Nothing after the header was needed to refuse it, and more bytes change nothing.
        splitter.append([UInt8](repeating: 0, count: 101))
        #expect(throws: WrapperError.oversized(length: 101, limit: 100)) { try splitter.next() }
        #expect(splitter.failure == .oversized(length: 101, limit: 100))
    }

    @Test("a wrong version is refused; memory stays below one frame while a stream of frames goes through")
    func versionAndBound() throws {
        var wrong = WrapperFrameSplitter()
        wrong.append([0x00, 0x02, 0, 1, 0, 16, 0, 0])
        #expect(throws: WrapperError.unsupportedVersion(2)) { try wrong.next() }

        var splitter = WrapperFrameSplitter(maxAPDUSize: 64)
        let stream = try (0..<500).flatMap { try Self.frame(UInt8($0 % 256), length: $0 % 65).encoded }
        var random = SplitMix64(seed: 11)
        var offset = 0
        var count = 0
        while offset < stream.count {
            let size = 1 + random.next(below: 90)
            splitter.append(stream[offset..<min(stream.count, offset + size)])
            offset += size
            while try splitter.next() != nil { count += 1 }
            #expect(splitter.bufferedByteCount < WrapperHeader.size + 64)
        }
        #expect(count == 500)
    }
}
