import Gateway
import SmartCard
import Synchronization
import Testing

/// The PC/SC events gatewayd's reader monitor sees, as the card presence `CardWatch` follows: only the gateway's
/// reader counts, a reader or pcscd gone counts as the card gone, and pcscd back counts as the card inserted anew
/// when the monitor sees it in the reader.
@Suite("Card presence feed: PC/SC events as the gateway's card in or out")
struct CardPresenceFeedTests {
    let reader = "Virtual PCD 00 00"

    @Test("each event of the gateway's reader says present or absent, with why; other readers say nothing")
    func mapping() {
        func presence(_ event: CardEvent, cardInReader: Bool = false) -> CardWatch.Presence? {
            CardPresenceFeed.presence(after: event, in: reader, cardInReader: cardInReader)
        }
        #expect(presence(.cardInserted(reader: reader, atr: ATR([0x3B, 0x80]))) == .present)
        #expect(presence(.cardRemoved(reader: reader)) == .absent("the card was removed"))
        #expect(presence(.readerDisappeared(reader)) == .absent("the reader disappeared (unplugged, or pcscd restarted)"))
        #expect(presence(.serviceLost(PCSCError(.noService))) == .absent("pcscd is not answering (\(PCSCError(.noService)))"))
        #expect(presence(.serviceBack, cardInReader: true) == .present, "pcscd powered the card afresh: it is checked again")
        #expect(presence(.serviceBack, cardInReader: false) == nil)
        #expect(presence(.readerAppeared(reader)) == nil)
        for other in [CardEvent.cardInserted(reader: "Other 01 00", atr: ATR([0x3B])), .cardRemoved(reader: "Other 01 00"),
                      .readerDisappeared("Other 01 00")] {
            #expect(presence(other) == nil, "\(other) is not the gateway's reader")
        }
    }

    @Test("the stream passes the reader's events in order, reminds while the reader is empty, and stops the monitor at its end")
    func stream() async {
        let (events, feed) = AsyncStream.makeStream(of: CardEvent.self)
        let stopped = AsyncStream.makeStream(of: Void.self)
        let cardIn = Flag()
        cardIn.value = true
        let presence = CardPresenceFeed.stream(events: events, reader: reader, reminder: .milliseconds(20),
                                               cardInReader: { cardIn.value }, onTermination: { stopped.continuation.yield() })
        var seen = presence.makeAsyncIterator()

        feed.yield(.readerAppeared(reader))
        feed.yield(.cardInserted(reader: "Other 01 00", atr: ATR([0x3B])))
        feed.yield(.cardInserted(reader: reader, atr: ATR([0x3B, 0x80])))
        #expect(await seen.next() == .present, "no reminder while the card is in")
        cardIn.value = false
        feed.yield(.cardRemoved(reader: reader))
        var afterRemoval: Set<CardWatch.Presence> = []
        while afterRemoval.count < 2, let next = await seen.next() { afterRemoval.insert(next) }
        #expect(afterRemoval == [.absent("the card was removed"), .absent("the reader is still empty")])

        feed.finish()
        while let more = await seen.next() { #expect(more == .absent("the reader is still empty")) }
        var stops = stopped.stream.makeAsyncIterator()
        #expect(await stops.next() != nil, "the monitor is stopped once the stream ends")
    }
}

/// A card in or out of the reader as the test sets it.
private final class Flag: Sendable {
    private let state = Mutex(false)
    var value: Bool {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}
