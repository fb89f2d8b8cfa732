import Foundation

/// GENERAL AUTHENTICATE (SP 800-73-4 Part 2 §3.2.4): signatures with the slot keys, and the management key's
/// challenge–response in both of OpenSC's forms (`piv-tool -A A:9B:08` external, `-A M:9B:08` mutual).
extension PIVCard {
    func generalAuthenticate(_ command: CommandAPDU) -> ResponseAPDU {
        guard let reference = PIVKeyReference(rawValue: command.p2) else { return ResponseAPDU(.referencedDataNotFound) }
        guard let template = try? TLVReader.elements(of: command.data), template.count == 1, template[0].tag == 0x7C,
              let items = try? TLVReader.elements(of: template[0].value) else {
            return ResponseAPDU(.incorrectData)
        }
        if reference == .cardManagement { return authenticateManagementKey(algorithm: command.p1, items: items) }
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
            return ResponseAPDU(data: TLV(tag: 0x7C, children: [TLV(tag: 0x81, value: random)]).encoded)
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

    static func randomBlock() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<ManagementKey.blockSize).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
