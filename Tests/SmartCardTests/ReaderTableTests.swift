@testable import SmartCard
import Testing

/// The rules that turn two pictures of the readers into events, without pcscd.
@Suite("Reader table: pictures to events")
struct ReaderTableTests {
    let atr = ATR([0x3B, 0x80, 0x80, 0x01, 0x01])
    let other = ATR([0x3B, 0x8F, 0x80, 0x01, 0x80])

    @Test("a reader seen first with a card appears, then its card is inserted")
    func firstSight() {
        var table = ReaderTable()
        #expect(table.update(ReaderState(name: "R", cardPresent: true, atr: atr)) == [.readerAppeared("R"), .cardInserted(reader: "R", atr: atr)])
        #expect(table.update(ReaderState(name: "R", cardPresent: true, atr: atr)).isEmpty)
    }

    @Test("a different ATR between two looks is a removal and an insertion")
    func swap() {
        var table = ReaderTable()
        _ = table.update(ReaderState(name: "R", cardPresent: true, atr: atr))
        #expect(table.update(ReaderState(name: "R", cardPresent: true, atr: other)) == [.cardRemoved(reader: "R"), .cardInserted(reader: "R", atr: other)])
        #expect(table.update(ReaderState(name: "R", cardPresent: false, atr: nil)) == [.cardRemoved(reader: "R")])
    }

    @Test("a reader that vanished with a card reports the card removed, then the reader gone")
    func vanished() {
        var table = ReaderTable()
        _ = table.update(ReaderState(name: "A", cardPresent: true, atr: atr))
        _ = table.update(ReaderState(name: "B", cardPresent: false, atr: nil))
        #expect(table.keep(only: ["B"]) == [.cardRemoved(reader: "A"), .readerDisappeared("A")])
        #expect(table.readers.keys.sorted() == ["B"])
    }
}

@Suite("ATR and PCSCError as users read them")
struct PrintingTests {
    @Test("an ATR prints as pcsc_scan does and parses back from any usual spelling")
    func atr() {
        let atr = ATR([0x3B, 0x0A, 0x80])
        #expect(atr.description == "3B 0A 80")
        #expect(atr.hex == "3B0A80")
        #expect(ATR(hex: "3b:0a:80") == atr && ATR(hex: "3B 0A 80") == atr)
        #expect(ATR(hex: "3B0") == nil && ATR(hex: "zz") == nil)
    }

    @Test("a PC/SC failure names the function, the code and what to do; equality looks at the code")
    func error() {
        let error = PCSCError(.noService, function: "SCardEstablishContext")
        #expect(error.description == "SCardEstablishContext failed: SCARD_E_NO_SERVICE: pcscd is not running (start it: systemctl start pcscd.socket, or pcscd -f)")
        #expect(error == PCSCError(.noService) && error.isServiceGone)
        #expect(PCSCError(.removedCard).description.hasPrefix("SCARD_W_REMOVED_CARD: "))
        #expect(PCSCError(PCSCError.Code(rawValue: 0x8010_00FF)).description.hasPrefix("SCARD code 0x801000FF: "))
    }

    @Test("the C return value is read as a 32-bit code on 64-bit LONG")
    func longToCode() {
        #expect(SCard.code(0x8010_001D) == PCSCError.Code.noService.rawValue)
    }
}
