import Gateway
import SmartCard

/// The reader monitor's PC/SC events, as the presence of the card in the gateway's reader (`CardWatch.Presence`).
///
/// A reader that disappears or a pcscd that stops answering count as "card absent": the card cannot be used either
/// way, and its sessions die with them. pcscd coming back powers every card afresh, so a card still in the reader
/// then counts as inserted again, and is checked again before anything is signed with it.
enum CardPresenceFeed {
    static func stream(monitor: CardMonitor, reader: String) -> AsyncStream<CardWatch.Presence> {
        AsyncStream { continuation in
            let task = Task {
                for await event in monitor.events {
                    switch event {
                    case .cardInserted(let name, _) where name == reader:
                        continuation.yield(.present)
                    case .cardRemoved(let name) where name == reader:
                        continuation.yield(.absent("the card was removed"))
                    case .readerDisappeared(let name) where name == reader:
                        continuation.yield(.absent("the reader disappeared (unplugged, or pcscd restarted)"))
                    case .serviceLost(let error):
                        continuation.yield(.absent("pcscd is not answering (\(error))"))
                    case .serviceBack:
                        if monitor.state(of: reader)?.cardPresent == true { continuation.yield(.present) }
                    case .readerAppeared, .cardInserted, .cardRemoved, .readerDisappeared:
                        continue
                    }
                }
                continuation.finish()
            }
            // While the reader is empty, say so again every few seconds: each time CardWatch lets go of the card's
            // middleware again (`releaseCard`), so a PC/SC transaction leaked after the first release cannot keep
            // the next card out of the reader.
            let reminder = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(3))
                    if monitor.state(of: reader)?.cardPresent != true { continuation.yield(.absent("the reader is still empty")) }
                }
            }
            continuation.onTermination = { _ in
                task.cancel()
                reminder.cancel()
                monitor.stop()
            }
        }
    }
}
