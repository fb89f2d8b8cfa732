/// What a monitor knows of each reader, and the events that turn one picture into the next.
///
/// Kept apart from the thread and the C calls so the rules (a card whose ATR changed between two looks was
/// removed and another inserted; a reader that vanished with a card in it reports the card removed first) can be
/// read and tested on their own.
struct ReaderTable: Sendable {
    private(set) var readers: [String: ReaderState] = [:]

    /// Records `state` and returns what changed for its reader.
    mutating func update(_ state: ReaderState) -> [CardEvent] {
        let old = readers[state.name]
        readers[state.name] = state
        var events: [CardEvent] = []
        if old == nil { events.append(.readerAppeared(state.name)) }
        let wasPresent = old?.cardPresent ?? false
        switch (wasPresent, state.cardPresent) {
        case (false, true):
            events.append(.cardInserted(reader: state.name, atr: state.atr ?? ATR([])))
        case (true, false):
            events.append(.cardRemoved(reader: state.name))
        case (true, true) where old?.atr != state.atr && state.atr != nil:
            // A different card (or the first ATR of a card that was mute): report the swap in full.
            events.append(.cardRemoved(reader: state.name))
            events.append(.cardInserted(reader: state.name, atr: state.atr ?? ATR([])))
        default:
            break
        }
        return events
    }

    /// Forgets every reader not in `names` and returns the events for them.
    mutating func keep(only names: Set<String>) -> [CardEvent] {
        var events: [CardEvent] = []
        for name in readers.keys.sorted() where !names.contains(name) {
            if readers[name]?.cardPresent == true { events.append(.cardRemoved(reader: name)) }
            events.append(.readerDisappeared(name))
            readers[name] = nil
        }
        return events
    }
}
