import COSEM
import NIOCore

/// Splits a TCP byte stream into IEC 62056-4-7 wrapper frames, on a NIO channel. Code without NIO (the uplink's
/// protocol, its tests) uses COSEM's `WrapperFrameSplitter`; both decide through `WrapperFrame.size(ofFrameAtStartOf:maxAPDUSize:)`.
///
/// Waits until a whole header and its APDU have arrived, so frames split across reads reassemble and several
/// frames in one read come out one by one. A wrong version or an announced length above `maxAPDUSize` throws
/// a `WrapperError` (which closes the channel through NIO's error path) instead of buffering without bound:
/// after such an error the stream cannot be resynchronised.
public struct WrapperFrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = WrapperFrame

    public let maxAPDUSize: Int

    /// - Parameter maxAPDUSize: the largest APDU accepted; the wrapper's field allows 65 535.
    public init(maxAPDUSize: Int = 4096) {
        self.maxAPDUSize = maxAPDUSize
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        // The same rule as COSEM's NIO-free `WrapperFrameSplitter`, applied to NIO's buffer.
        guard let size = try WrapperFrame.size(ofFrameAtStartOf: buffer.readableBytesView, maxAPDUSize: maxAPDUSize),
              let bytes = buffer.readBytes(length: size) else {
            return .needMoreData
        }
        context.fireChannelRead(wrapInboundOut(try WrapperFrame(decoding: bytes, maxAPDUSize: maxAPDUSize)))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer,
                                    seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}

/// Writes `WrapperFrame`s as header + APDU.
public struct WrapperFrameEncoder: MessageToByteEncoder {
    public typealias OutboundIn = WrapperFrame

    public init() {}

    public func encode(data: WrapperFrame, out: inout ByteBuffer) throws {
        out.writeBytes(data.encoded)
    }
}
