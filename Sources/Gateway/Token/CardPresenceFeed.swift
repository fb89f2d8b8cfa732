import SmartCard

/// The reader monitor's PC/SC events, as the presence of the card in the gateway's reader (`CardWatch.Presence`).
///
/// A reader that disappears or a pcscd that stops answering count as "card absent": the card cannot be used either
/// way, and its sessions die with them. pcscd coming back powers every card afresh, so a card still in the reader
/// then counts as inserted again, and is checked again before anything is signed with it.
public enum CardPresenceFeed {
    /// The presence stream `CardWatch` follows, from a monitor started for `reader`; ending the stream stops the monitor.
    public static func stream(monitor: CardMonitor, reader: String) -> AsyncStream<CardWatch.Presence> {
        stream(events: monitor.events, reader: reader, cardInReader: { monitor.state(of: reader)?.cardPresent == true },
               onTermination: { monitor.stop() })
    }

    /// The same from any event stream: `cardInReader` says whether the monitor last saw a card in the reader.
    ///
    /// While the reader is empty the stream says so again every `reminder`: each time `CardWatch` lets go of the
    /// card's middleware again (`releaseCard`), so a PC/SC transaction leaked after the first release cannot keep
    /// the next card out of the reader.
    public static func stream(
        events: AsyncStream<CardEvent>, reader: String, reminder: Duration = .seconds(3),
        cardInReader: @escaping @Sendable () -> Bool, onTermination: @escaping @Sendable () -> Void = {}
    ) -> AsyncStream<CardWatch.Presence> {
        AsyncStream { continuation in
            let task = Task {
                for await event in events {
                    if let presence = presence(after: event, in: reader, cardInReader: cardInReader()) { continuation.yield(presence) }
                }
                continuation.finish()
            }
            let reminding = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: reminder)
                    if !cardInReader() { continuation.yield(.absent("the reader is still empty")) }
                }
            }
            continuation.onTermination = { _ in
                task.cancel()
                reminding.cancel()
                onTermination()
            }
        }
    }

    /// What `event` says of the card in `reader`; nil when it says nothing of it (another reader, a reader appearing).
    /// `cardInReader`: whether the monitor sees a card in the reader now (asked when pcscd is back).
    public static func presence(after event: CardEvent, in reader: String, cardInReader: Bool) -> CardWatch.Presence? {
        switch event {
        case .cardInserted(let name, _) where name == reader:
            .present
        case .cardRemoved(let name) where name == reader:
            .absent("the card was removed")
        case .readerDisappeared(let name) where name == reader:
            .absent("the reader disappeared (unplugged, or pcscd restarted)")
        case .serviceLost(let error):
            .absent("pcscd is not answering (\(error))")
        case .serviceBack:
            cardInReader ? .present : nil
        case .readerAppeared, .cardInserted, .cardRemoved, .readerDisappeared:
            nil
        }
    }
}
