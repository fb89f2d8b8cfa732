import Crypto
import Foundation
import Testing
@testable import VirtualCard

@Suite("The PIV application: SELECT, PIN, signatures, management key, chaining")
struct PIVCardTests {
    @Test("SELECT answers the property template with a six-byte PIX and the RID; other AIDs are not found")
    func select() throws {
        let fixture = try CardFixture()
        let response = fixture.select()
        #expect(response.status == .success)
        let template = try #require(try TLVReader.elements(of: response.data).first(tag: 0x61))
        let items = try TLVReader.elements(of: template.value)
        #expect(items.first(tag: 0x4F)?.value == [0x00, 0x00, 0x10, 0x00, 0x01, 0x00])
        let authority = try #require(items.first(tag: 0x79))
        #expect(try TLVReader.elements(of: authority.value).first(tag: 0x4F)?.value == [0xA0, 0x00, 0x00, 0x03, 0x08])
        let openPGP = CommandAPDU(ins: 0xA4, p1: 4, p2: 0, data: [0xD2, 0x76, 0x00, 0x01, 0x24, 0x01])
        #expect(fixture.send(openPGP).status == .fileNotFound)
    }

    @Test("the ATR is well formed: T=1 offered and the check byte right")
    func atr() {
        let atr = PIVApplication.atr
        #expect(atr[0] == 0x3B)
        #expect(atr.dropFirst().reduce(0, ^) == 0)
        #expect(Int(atr[1] & 0x0F) == atr.count - 5)
    }

    @Test("GET DATA: CHUID and CCC exist on a new card; a missing certificate and discovery are 6A82")
    func getData() throws {
        let fixture = try CardFixture()
        #expect(fixture.getData([0x5F, 0xC1, 0x02]).status == .success)
        #expect(fixture.getData([0x5F, 0xC1, 0x07]).status == .success)
        #expect(fixture.getData([0x5F, 0xC1, 0x0A]).status == .fileNotFound)
        #expect(fixture.getData([0x7E]).status == .fileNotFound)
    }

    @Test("VERIFY counts wrong PINs (63Cx), blocks at three (6983), and the block survives a reload")
    func pinTries() throws {
        var fixture = try CardFixture()
        #expect(fixture.select().status == .success)
        #expect(fixture.verify("000000").status == .wrongPIN(triesLeft: 2))
        #expect(fixture.send(CommandAPDU(ins: 0x20, p1: 0, p2: 0x80)).status == .wrongPIN(triesLeft: 2))
        #expect(fixture.verify("123456").status == .success, "a right PIN resets the counter")
        #expect(fixture.send(CommandAPDU(ins: 0x20, p1: 0, p2: 0x80)).status == .success)
        try fixture.reload()
        #expect(fixture.send(CommandAPDU(ins: 0x20, p1: 0, p2: 0x80)).status == .wrongPIN(triesLeft: 3), "power cycle forgets")
        #expect(fixture.verify("111111").status == .wrongPIN(triesLeft: 2))
        try fixture.reload()
        #expect(fixture.verify("222222").status == .wrongPIN(triesLeft: 1), "a restart does not restore tries")
        #expect(fixture.verify("333333").status == .authenticationMethodBlocked)
        #expect(fixture.verify("123456").status == .authenticationMethodBlocked)
        try fixture.reload()
        #expect(fixture.verify("123456").status == .authenticationMethodBlocked)
        #expect(try fixture.store.load()?.isPINBlocked == true)
    }

    @Test("the PIN stays verified across a re-SELECT and is dropped by a reset")
    func pinAcrossSelect() throws {
        let fixture = try CardFixture()
        _ = fixture.select()
        #expect(fixture.verify("123456").status == .success)
        _ = fixture.select()
        #expect(fixture.send(CommandAPDU(ins: 0x20, p1: 0, p2: 0x80)).status == .success)
        fixture.card.reset()
        #expect(fixture.send(CommandAPDU(ins: 0x20, p1: 0, p2: 0x80)).status == .wrongPIN(triesLeft: 3))
    }

    @Test("the state file is 0600 and holds a whole JSON object")
    func stateFile() throws {
        let fixture = try CardFixture()
        let attributes = try FileManager.default.attributesOfItem(atPath: fixture.store.fileURL.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try fixture.store.load() != nil)
    }

    @Test("GENERAL AUTHENTICATE signs with 9A (PIN in session) and 9C (PIN before each signature), P-256 and P-384",
          arguments: [(UInt8(0x11), PIVAlgorithm.eccP256), (0x14, .eccP384)])
    func signatures(algorithmID: UInt8, algorithm: PIVAlgorithm) throws {
        let fixture = try CardFixture()
        let provisioner = CardProvisioner(store: fixture.store)
        try provisioner.provisionKey(slot: .signature, algorithm: algorithm, commonName: "sign")
        try provisioner.provisionKey(slot: .authentication, algorithm: algorithm, commonName: "auth")
        fixture.card.reset()
        _ = fixture.select()
        let message = Array("reading 42".utf8)
        let digest = algorithm == .eccP256 ? Array(SHA256.hash(data: message)) : Array(SHA384.hash(data: message))

        #expect(fixture.sign(slot: 0x9A, algorithm: algorithmID, digest: digest).status == .securityStatusNotSatisfied)
        #expect(fixture.verify("123456").status == .success)
        for slot: UInt8 in [0x9A, 0x9A, 0x9C] {
            let response = fixture.collect(fixture.sign(slot: slot, algorithm: algorithmID, digest: digest))
            #expect(response.status == .success)
            let outer = try TLVReader.elements(of: response.data)
            let der = try #require(try TLVReader.elements(of: outer[0].value).first(tag: 0x82)).value
            let key = try #require(try fixture.store.load()?[key: PIVKeyReference(rawValue: slot)!])
            if algorithm == .eccP256 {
                let publicKey = try P256.Signing.PrivateKey(rawRepresentation: key.privateScalar).publicKey
                #expect(publicKey.isValidSignature(try P256.Signing.ECDSASignature(derRepresentation: der), for: SHA256.hash(data: message)))
            } else {
                let publicKey = try P384.Signing.PrivateKey(rawRepresentation: key.privateScalar).publicKey
                #expect(publicKey.isValidSignature(try P384.Signing.ECDSASignature(derRepresentation: der), for: SHA384.hash(data: message)))
            }
        }
        #expect(fixture.sign(slot: 0x9C, algorithm: algorithmID, digest: digest).status == .securityStatusNotSatisfied,
                "9C needs the PIN again")
        #expect(fixture.verify("123456").status == .success)
        #expect(fixture.sign(slot: 0x9C, algorithm: algorithmID, digest: digest).status == .success)
        #expect(fixture.sign(slot: 0x9C, algorithm: algorithmID == 0x11 ? 0x14 : 0x11, digest: digest).status == .incorrectP1P2)
    }

    @Test("GENERATE is refused without the management key, refused after a wrong key, accepted after the right one")
    func generate() throws {
        let fixture = try CardFixture()
        _ = fixture.select()
        #expect(fixture.generate(slot: 0x9C, algorithm: 0x11).status == .securityStatusNotSatisfied)
        #expect(try fixture.authenticateManagementKey([UInt8](repeating: 9, count: 16)).status == .securityStatusNotSatisfied)
        #expect(fixture.generate(slot: 0x9C, algorithm: 0x11).status == .securityStatusNotSatisfied)
        #expect(try fixture.authenticateManagementKey().status == .success)
        let response = fixture.generate(slot: 0x9C, algorithm: 0x14)
        #expect(response.status == .success)
        let template = try #require(try TLVReader.elements(of: response.data).first(tag: 0x7F49))
        let point = try #require(try TLVReader.elements(of: template.value).first(tag: 0x86)).value
        #expect(point.count == 97 && point[0] == 0x04)
        #expect(try fixture.store.load()?[key: .signature]?.publicPoint() == point)
        #expect(fixture.generate(slot: 0x9C, algorithm: 0x07).status == .incorrectData, "RSA is not offered")
    }

    @Test("mutual management-key authentication (piv-tool -A M:9B:08) works too")
    func mutualAuthentication() throws {
        let fixture = try CardFixture()
        let key = try ManagementKey()
        let witnessRequest = TLV(tag: 0x7C, children: [TLV(tag: 0x80, value: [])]).encoded
        let first = fixture.send(CommandAPDU(ins: 0x87, p1: 0x08, p2: 0x9B, data: witnessRequest, expectedLength: 256))
        let encrypted = try TLVReader.elements(of: try TLVReader.elements(of: first.data)[0].value).first(tag: 0x80)!.value
        // swift-crypto offers no AES decryption of a bare block; the card keeps the witness in its session.
        var witness: [UInt8]?
        if case .witness(let sent) = fixture.card.session.managementChallenge { witness = sent }
        #expect(key.encrypt(block: try #require(witness)) == encrypted)
        let challenge = [UInt8](repeating: 0x5A, count: 16)
        let answer = TLV(tag: 0x7C, children: [TLV(tag: 0x80, value: witness!), TLV(tag: 0x81, value: challenge), TLV(tag: 0x82, value: [])]).encoded
        let second = fixture.send(CommandAPDU(ins: 0x87, p1: 0x08, p2: 0x9B, data: answer, expectedLength: 256))
        #expect(second.status == .success)
        #expect(try TLVReader.elements(of: try TLVReader.elements(of: second.data)[0].value).first(tag: 0x82)?.value == key.encrypt(block: challenge))
        #expect(fixture.generate(slot: 0x9A, algorithm: 0x11).status == .success)
    }

    @Test("command chaining carries a PUT DATA of a certificate; response chaining returns it in pieces")
    func chaining() throws {
        let fixture = try CardFixture()
        _ = fixture.select()
        #expect(try fixture.authenticateManagementKey().status == .success)
        let certificate = (0..<700).map { UInt8($0 & 0xFF) }
        let body = TLV(tag: 0x5C, value: [0x5F, 0xC1, 0x0A]).encoded + PIVDataObject.certificateContainer(certificate)
        var chunks = stride(from: 0, to: body.count, by: 255).map { Array(body[$0..<min($0 + 255, body.count)]) }
        let last = chunks.removeLast()
        for chunk in chunks {
            #expect(fixture.send(CommandAPDU(cla: 0x10, ins: 0xDB, p1: 0x3F, p2: 0xFF, data: chunk)).status == .success)
        }
        #expect(fixture.send(CommandAPDU(ins: 0xDB, p1: 0x3F, p2: 0xFF, data: last)).status == .success)

        let first = fixture.getData([0x5F, 0xC1, 0x0A])
        #expect(first.status.sw1 == 0x61 && first.data.count == 256)
        let whole = fixture.collect(first)
        #expect(whole.status == .success)
        #expect(PIVDataObject.certificate(inContainer: whole.data) == certificate)
        #expect(fixture.send(CommandAPDU(ins: 0xC0, p1: 0, p2: 0, expectedLength: 256)).status == .conditionsOfUseNotSatisfied)
    }

    @Test("a chain interrupted by another instruction is refused, and PUT DATA needs the management key")
    func brokenChain() throws {
        let fixture = try CardFixture()
        #expect(fixture.send(CommandAPDU(cla: 0x10, ins: 0xDB, p1: 0x3F, p2: 0xFF, data: [0x5C])).status == .success)
        #expect(fixture.send(CommandAPDU(ins: 0x20, p1: 0, p2: 0x80)).status == .lastCommandOfChainExpected)
        let body = TLV(tag: 0x5C, value: [0x5F, 0xC1, 0x05]).encoded + PIVDataObject.certificateContainer([1, 2, 3])
        #expect(fixture.send(CommandAPDU(ins: 0xDB, p1: 0x3F, p2: 0xFF, data: body)).status == .securityStatusNotSatisfied)
    }
}
