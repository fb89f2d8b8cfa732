import Foundation

/// GENERAL AUTHENTICATE (SP 800-73-4 Part 2 §3.2.4): signatures with the slot keys, and the management key's
/// challenge–response in both of OpenSC's forms (`piv-tool -A A:9B:08` external, `-A M:9B:08` mutual).
extension PIVCard {
    func generalAuthenticate(_ command: CommandAPDU) -> ResponseAPDU {
        guard let reference = PIVKeyReference(rawValue: command.p2) else { return ResponseAPDU(.referencedDataNotFound) }
        if reference == .cardManagement {
            // Only the first element counts here: OpenSC 0.23's external authenticate sends its 7C template
            // followed by uninitialised bytes (see `externalChallengeResponse`).
            var reader = TLVReader(command.data)
            guard let template = try? reader.next(), template.tag == 0x7C, let items = try? TLVReader.elements(of: template.value) else {
                return ResponseAPDU(.incorrectData)
            }
            return authenticateManagementKey(algorithm: command.p1, items: items)
        }
        guard let template = try? TLVReader.elements(of: command.data), template.count == 1, template[0].tag == 0x7C,
              let items = try? TLVReader.elements(of: template[0].value) else {
            return ResponseAPDU(.incorrectData)
        }
        return sign(with: reference, algorithm: command.p1, items: items)
    }

    /// `7C { 82 00, 81 <digest> }` answered `7C { 82 <ECDSA-Sig-Value> }`.
    private func sign(with reference: PIVKeyReference, algorithm: UInt8, items: [TLV]) -> ResponseAPDU {
        guard let key = state[key: reference] else { return ResponseAPDU(.referencedDataNotFound) }
        guard key.algorithm.rawValue == algorithm else { return ResponseAPDU(.incorrectP1P2) }
        guard let response = items.first(tag: 0x82), response.value.isEmpty, let challenge = items.first(tag: 0x81),
              !challenge.value.isEmpty else {
            return ResponseAPDU(.incorrectData)
        }
        switch reference.access {
        case .always:
            break
        case .pin:
            guard session.pinVerified else { return ResponseAPDU(.securityStatusNotSatisfied) }
        case .pinAlways:
            // One VERIFY buys one signature; the grant is spent even if signing fails.
            guard session.pinVerified, session.pinAlwaysGrant else { return ResponseAPDU(.securityStatusNotSatisfied) }
            session.pinAlwaysGrant = false
        }
        if options.signDelay > .zero { Thread.sleep(forTimeInterval: options.signDelay.seconds) }
        guard let signature = try? key.sign(digest: challenge.value) else { return ResponseAPDU(.noPreciseDiagnosis) }
        return ResponseAPDU(data: TLV(tag: 0x7C, children: [TLV(tag: 0x82, value: signature)]).encoded)
    }

    private func authenticateManagementKey(algorithm: UInt8, items: [TLV]) -> ResponseAPDU {
        let key = state.managementKey
        guard algorithm == key.algorithm.rawValue else { return ResponseAPDU(.incorrectP1P2) }
        let pending = session.managementChallenge
        session.managementChallenge = nil
        session.managementKeyAuthenticated = false
        let witness = items.first(tag: 0x80)
        let challenge = items.first(tag: 0x81)
        let response = items.first(tag: 0x82)

        // External: the host asks for a challenge, then returns it encrypted.
        if let challenge, challenge.value.isEmpty, witness == nil {
            let random = Self.randomBlock()
            session.managementChallenge = .external(random)
            return ResponseAPDU(data: Self.externalChallengeResponse(random))
        }
        if let response, witness == nil, challenge == nil {
            guard case .external(let sent) = pending, let expected = key.encrypt(block: sent), expected == response.value else {
                return ResponseAPDU(.securityStatusNotSatisfied)
            }
            session.managementKeyAuthenticated = true
            return ResponseAPDU(.success)
        }
        // Mutual: the host asks for a witness, returns it decrypted with its own challenge, and checks the
        // card's encryption of that challenge.
        if let witness, witness.value.isEmpty, challenge == nil {
            let random = Self.randomBlock()
            guard let encrypted = key.encrypt(block: random) else { return ResponseAPDU(.noPreciseDiagnosis) }
            session.managementChallenge = .witness(random)
            return ResponseAPDU(data: TLV(tag: 0x7C, children: [TLV(tag: 0x80, value: encrypted)]).encoded)
        }
        if let witness, let challenge, response == nil || response?.value.isEmpty == true {
            guard case .witness(let sent) = pending, sent == witness.value,
                  let answer = key.encrypt(block: challenge.value) else {
                return ResponseAPDU(.securityStatusNotSatisfied)
            }
            session.managementKeyAuthenticated = true
            return ResponseAPDU(data: TLV(tag: 0x7C, children: [TLV(tag: 0x82, value: answer)]).encoded)
        }
        return ResponseAPDU(.incorrectData)
    }

    /// `7C { 81 <challenge>, 84 <16 zero bytes> }`. The filler element is for OpenSC 0.23 (`piv-tool -A A:…`,
    /// OpenSC issue 2658): it computes the size of its answer as 38 bytes where the answer is 20, refuses to go
    /// on unless the card's challenge response had that size, and then sends its 20 bytes plus 18 stray ones.
    /// A 38-byte challenge response gets it through; the stray bytes are ignored above. Hosts look for 81 only.
    static func externalChallengeResponse(_ challenge: [UInt8]) -> [UInt8] {
        TLV(tag: 0x7C, children: [TLV(tag: 0x81, value: challenge), TLV(tag: 0x84, value: [UInt8](repeating: 0, count: 16))]).encoded
    }

    static func randomBlock() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<ManagementKey.blockSize).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
