import Foundation
import SmartCard
import Testing
import TestSupport

extension PCSCTests {
    @Suite("SmartCard readers and gatewayctl token readers")
    struct SmartCardReaders {
        @Test("both vpcd readers are listed empty, in-process and by gatewayctl token readers")
        func emptyReaders() async throws {
            let daemon = try await PCSCDaemon.start()

            let readers = try await Readers.list()
            #expect(readers.map(\.name) == [PCSCDaemon.firstReader, PCSCDaemon.secondReader], "\(readers)")
            #expect(readers.allSatisfy { !$0.cardPresent && $0.atr == nil }, "\(readers)")
            #expect(try Readers.state(of: PCSCDaemon.firstReader)?.cardPresent == false)
            #expect(try Readers.state(of: "No Such Reader 00 00") == nil)

            let listing = try await run(gatewayctlPath, ["token", "readers"], environment: daemon.environment)
            #expect(listing.status == 0, "\(listing.stderr)")
            #expect(listing.output == "\(PCSCDaemon.firstReader): empty\n\(PCSCDaemon.secondReader): empty\n", "\(listing.output)")

            let json = try await run(gatewayctlPath, ["token", "readers", "--json"], environment: daemon.environment)
            #expect(json.status == 0, "\(json.stderr)")
            let entries = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [[String: Any]], "\(json.output)")
            #expect(entries.compactMap { $0["reader"] as? String } == [PCSCDaemon.firstReader, PCSCDaemon.secondReader])
            #expect(entries.allSatisfy { $0["card"] as? Bool == false && $0["atr"] == nil }, "\(json.output)")
            await daemon.stop()
        }

        @Test("a PIV card in the first reader shows with its ATR and the token OpenSC makes of it, in text and JSON")
        func cardWithATR() async throws {
            let daemon = try await PCSCDaemon.start()
            let card = try InProcessCard(address: daemon.vpcdAddress)
            defer { card.remove() }

            let state = try await Self.waitForCard(in: PCSCDaemon.firstReader, present: true, daemon: daemon)
            #expect(state.atr == InProcessCard.atr)

            let listing = try await run(gatewayctlPath, ["token", "readers"], environment: daemon.environment)
            #expect(listing.status == 0, "\(listing.stderr)")
            let lines = listing.output.split(separator: "\n").map(String.init)
            // A PIV card without certificates is OpenSC's "PIV_II", its serial from the card's CHUID.
            #expect(lines.count == 2, "\(listing.output)")
            #expect(lines.first?.hasPrefix("\(PCSCDaemon.firstReader): card, ATR \(InProcessCard.atr); token \"PIV_II\" serial ") == true,
                    "\(listing.output)\n\(listing.stderr)")
            #expect(lines.last == "\(PCSCDaemon.secondReader): empty", "\(listing.output)")

            let json = try await run(gatewayctlPath, ["token", "readers", "--json"], environment: daemon.environment)
            let entries = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [[String: Any]], "\(json.output)")
            #expect(entries.first?["atr"] as? String == InProcessCard.atr.hex, "\(json.output)")
            let tokens = entries.first?["tokens"] as? [[String: Any]] ?? []
            #expect(tokens.count == 1 && tokens.first?["label"] as? String == "PIV_II", "\(json.output)")

            card.remove()
            let after = try await Self.waitForCard(in: PCSCDaemon.firstReader, present: false, daemon: daemon)
            #expect(after.atr == nil)
            await daemon.stop()
        }

        @Test("without pcscd, token readers prints one line naming pcscd and how to start it, and exits 1")
        func noService() async throws {
            // This process's PCSCLITE_CSOCK_NAME points at the fixture's socket, and no daemon of it runs now.
            let socket = PCSCDaemon.socketPath
            await #expect(throws: PCSCError(.noService)) { try await Readers.list() }

            let result = try await run(gatewayctlPath, ["token", "readers"], environment: ["PCSCLITE_CSOCK_NAME": socket])
            #expect(result.status == 1)
            #expect(result.output.isEmpty, "\(result.output)")
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(result.stderr)")
            #expect(result.stderr.contains("pcscd is not running") && result.stderr.contains("SCARD_E_NO_SERVICE"), "\(result.stderr)")
        }

        /// Polls the in-process snapshot until the reader shows the card (or its absence), with a deadline.
        static func waitForCard(in reader: String, present: Bool, daemon: PCSCDaemon) async throws -> ReaderState {
            let deadline = Date().addingTimeInterval(15)
            var last: ReaderState?
            while Date() < deadline {
                last = try await Readers.list().first { $0.name == reader }
                if let last, last.cardPresent == present { return last }
                try await Task.sleep(for: .milliseconds(50))
            }
            Issue.record("\(reader) never showed a card \(present ? "present" : "absent"); last state \(String(describing: last)); pcscd: \(daemon.log)")
            throw CancellationError()
        }
    }
}
