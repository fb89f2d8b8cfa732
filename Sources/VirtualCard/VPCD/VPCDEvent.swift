/// What the link to vpcd reports to its owner, for the one line a user sees per change.
public enum VPCDEvent: Sendable, Hashable {
    /// Connected: pcscd sees a card in the reader.
    case inserted(address: String)
    /// The connection dropped (pcscd stopped or restarted): the card is out until reconnected.
    case removed(address: String, reason: String)
    /// The first attempt to connect failed; the link keeps trying every `VPCDLink.retryInterval`.
    case waiting(address: String, reason: String)
}
