/// Splits a TCP byte stream into IEC 62056-4-7 wrapper frames without any I/O: bytes in (`append`), whole frames
/// out (`next`), as dlms-cosem's connection keeps its framing apart from its sockets. A protocol state machine and
/// its tests then need nothing but bytes; Transport's NIO decoder applies the same rule (`WrapperFrame.size(ofFrameAtStartOf:maxAPDUSize:)`)
/// to NIO's own buffer.
///
/// A frame may arrive in any number of pieces and several frames in one piece; they come out whole and in order.
/// Memory is bounded: once `next()` has returned nil, fewer than `8 + maxAPDUSize` bytes are held, because an
/// announced length above `maxAPDUSize` is refused as soon as its header is in, not after its bytes. A wrong version
/// or such a length leaves the stream without a frame boundary to resume from, so the splitter stays failed: every
/// later `next()` throws the same error, and the connection is to be closed.
public struct WrapperFrameSplitter: Sendable {
    public let maxAPDUSize: Int
    /// The error that ended the stream, once there is one.
    public private(set) var failure: WrapperError?
    private var buffer: [UInt8] = []
    /// Where the unread bytes of `buffer` start: frames are taken from the front without moving the rest each time.
    private var start = 0

    /// - Parameter maxAPDUSize: the largest APDU accepted; the wrapper's field allows 65 535.
    public init(maxAPDUSize: Int = 4096) {
        self.maxAPDUSize = maxAPDUSize
    }

    /// Bytes received but not yet returned as a frame.
    public var bufferedByteCount: Int { buffer.count - start }

    /// Whether the stream is between frames: a connection that ends here lost nothing half-received.
    public var isAtFrameBoundary: Bool { bufferedByteCount == 0 }

    /// Adds bytes as they were read from the connection.
    public mutating func append<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        if start > 0, start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame, or nil until more bytes are appended. Frames completed before a bad header still
    /// come out first; the error follows them.
    public mutating func next() throws(WrapperError) -> WrapperFrame? {
        if let failure { throw failure }
        let unread = buffer[start...]
        let size: Int?
        do {
            size = try WrapperFrame.size(ofFrameAtStartOf: unread, maxAPDUSize: maxAPDUSize)
        } catch {
            failure = error
            throw error
        }
        guard let size else { return nil }
        let header = try WrapperHeader(parsing: unread)
        let apdu = Array(buffer[(start + WrapperHeader.size) ..< (start + size)])
        start += size
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        return try WrapperFrame(source: header.source, destination: header.destination, apdu: apdu)
    }
}
