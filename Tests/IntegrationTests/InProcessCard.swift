import Foundation
import SmartCard
import TestSupport
import VirtualCard

/// The project's virtual PIV card run inside the test process (`VPCDLink` on its own thread), for tests that need a
/// card to come and go in a reader and nothing more. `remove()` closes its connection to vpcd: the card is pulled.
final class InProcessCard: @unchecked Sendable {
    static var atr: ATR { ATR(PIVApplication.atr) }
    private let link: VPCDLink

    /// A fresh card (a state directory of its own) inserted into the vpcd reader at `address` ("127.0.0.1:PORT").
    init(address: String) throws {
        guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...]) else {
            throw TestSetupError("\(address) is not host:port")
        }
        let card = try PIVCard(store: CardStateStore(directory: try temporaryDirectory("in-process-card")))
        link = VPCDLink(host: String(address[..<colon]), port: port, card: card)
        link.start()
    }

    deinit { link.stop() }

    func remove() { link.stop() }
}
