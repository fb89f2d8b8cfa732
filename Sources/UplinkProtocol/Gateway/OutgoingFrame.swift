/// One signed record as the gateway's outbox hands it to the uplink: its transaction id (the key the head-end
/// acknowledges it by) and the bytes that go on the wire, wrapper header included. The session never looks inside
/// the bytes: it was signed before it got here, and is resent byte for byte.
public struct OutgoingFrame: Sendable, Hashable {
    public var transactionID: UInt64
    public var bytes: [UInt8]

    public init(transactionID: UInt64, bytes: [UInt8]) {
        self.transactionID = transactionID
        self.bytes = bytes
    }
}
