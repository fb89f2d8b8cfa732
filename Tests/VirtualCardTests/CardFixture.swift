import Foundation
@testable import VirtualCard

/// A card in a fresh temporary state directory, and helpers to talk to it in APDUs.
struct CardFixture {
    let directory: URL
    let store: CardStateStore
    var card: PIVCard

    init(pin: String = CardState.defaultPIN) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("virtual-card-\(UUID().uuidString)")
        store = CardStateStore(directory: directory)
        card = try PIVCard(store: store, pin: pin)
    }

    /// The card as it comes back after its process restarted: the same directory, a new session.
    mutating func reload() throws {
        card = try PIVCard(store: store)
    }

    @discardableResult
    func send(_ command: CommandAPDU) -> ResponseAPDU { card.process(command) }

    @discardableResult
    func send(_ bytes: [UInt8]) -> ResponseAPDU { ResponseAPDU(bytes: card.process(bytes))! }

    func select() -> ResponseAPDU {
        send(CommandAPDU(ins: 0xA4, p1: 0x04, p2: 0x00, data: [0xA0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, 0x00], expectedLength: 256))
    }

    func verify(_ pin: String) -> ResponseAPDU {
        var data = Array(pin.utf8)
        data += [UInt8](repeating: 0xFF, count: 8 - data.count)
        return send(CommandAPDU(ins: 0x20, p1: 0x00, p2: 0x80, data: data))
    }

    func sign(slot: UInt8, algorithm: UInt8 = 0x11, digest: [UInt8]) -> ResponseAPDU {
        let template = TLV(tag: 0x7C, children: [TLV(tag: 0x82, value: []), TLV(tag: 0x81, value: digest)]).encoded
        return send(CommandAPDU(ins: 0x87, p1: algorithm, p2: slot, data: template, expectedLength: 256))
    }

    /// Management-key authentication the way `piv-tool -A A:9B:08` does it.
    func authenticateManagementKey(_ key: [UInt8] = ManagementKey.defaultValue) throws -> ResponseAPDU {
        let request = TLV(tag: 0x7C, children: [TLV(tag: 0x81, value: [])]).encoded
        let challengeResponse = send(CommandAPDU(ins: 0x87, p1: 0x08, p2: 0x9B, data: request, expectedLength: 256))
        let outer = try TLVReader.elements(of: challengeResponse.data)
        let challenge = try TLVReader.elements(of: outer[0].value).first(tag: 0x81)!.value
        let encrypted = try ManagementKey(value: key).encrypt(block: challenge)!
        let answer = TLV(tag: 0x7C, children: [TLV(tag: 0x82, value: encrypted)]).encoded
        return send(CommandAPDU(ins: 0x87, p1: 0x08, p2: 0x9B, data: answer))
    }

    func generate(slot: UInt8, algorithm: UInt8) -> ResponseAPDU {
        let data = TLV(tag: 0xAC, children: [TLV(tag: 0x80, value: [algorithm])]).encoded
        return send(CommandAPDU(ins: 0x47, p1: 0x00, p2: slot, data: data, expectedLength: 256))
    }

    func getData(_ tag: [UInt8]) -> ResponseAPDU {
        send(CommandAPDU(ins: 0xCB, p1: 0x3F, p2: 0xFF, data: TLV(tag: 0x5C, value: tag).encoded, expectedLength: 256))
    }

    /// A response fetched whole, following 61xx with GET RESPONSE.
    func collect(_ first: ResponseAPDU) -> ResponseAPDU {
        var data = first.data
        var status = first.status
        while status.sw1 == 0x61 {
            let next = send(CommandAPDU(ins: 0xC0, p1: 0, p2: 0, expectedLength: status.sw2 == 0 ? 256 : Int(status.sw2)))
            data += next.data
            status = next.status
        }
        return ResponseAPDU(data: data, status: status)
    }
}
