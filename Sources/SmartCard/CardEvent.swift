/// A change a `CardMonitor` saw, in the order it saw them.
public enum CardEvent: Sendable, Hashable, CustomStringConvertible {
    /// pcscd lists a reader the monitor did not know (also for every reader there when the monitor starts).
    case readerAppeared(String)
    /// A reader is gone (unplugged, or gone after a pcscd restart); a card in it is reported removed first.
    case readerDisappeared(String)
    /// A card is in the reader, with its ATR (empty for a mute card that never answered).
    case cardInserted(reader: String, atr: ATR)
    /// The reader is empty now: sessions and handles on the card are gone.
    case cardRemoved(reader: String)
    /// pcscd is not reachable (never was, stopped, or crashed); the monitor retries with a back-off.
    case serviceLost(PCSCError)
    /// pcscd answers again. Every connection to a card made before is dead even if the same card is still in
    /// the reader, since pcscd powered it afresh; the events that follow report what changed meanwhile.
    case serviceBack

    public var description: String {
        switch self {
        case .readerAppeared(let reader): "reader appeared: \(reader)"
        case .readerDisappeared(let reader): "reader disappeared: \(reader)"
        case .cardInserted(let reader, let atr): "card inserted in \(reader): ATR \(atr)"
        case .cardRemoved(let reader): "card removed from \(reader)"
        case .serviceLost(let error): "pcscd lost: \(error)"
        case .serviceBack: "pcscd back"
        }
    }
}
