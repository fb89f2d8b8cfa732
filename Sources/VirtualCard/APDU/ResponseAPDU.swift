/// A response APDU: data, then the status word. What the card hands vpcd for every command.
public struct ResponseAPDU: Sendable, Hashable {
    public var data: [UInt8]
    public var status: StatusWord

    public init(data: [UInt8] = [], status: StatusWord = .success) {
        self.data = data
        self.status = status
    }

    public init(_ status: StatusWord) { self.init(data: [], status: status) }

    /// Splits bytes received from a card; nil when not even SW1SW2 is there.
    public init?(bytes: [UInt8]) {
        guard bytes.count >= 2 else { return nil }
        data = Array(bytes.dropLast(2))
        status = StatusWord(bytes[bytes.count - 2], bytes[bytes.count - 1])
    }

    public var bytes: [UInt8] { data + [status.sw1, status.sw2] }
}
