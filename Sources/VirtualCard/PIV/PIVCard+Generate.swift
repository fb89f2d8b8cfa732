/// GENERATE ASYMMETRIC KEY PAIR (SP 800-73-4 Part 2 §3.3.2), allowed after management-key authentication.
/// The new key replaces the slot's key at once; its certificate stays until the host writes a new one, as on
/// a real card.
extension PIVCard {
    func generateKeyPair(_ command: CommandAPDU) -> ResponseAPDU {
        guard command.p1 == 0x00 else { return ResponseAPDU(.incorrectP1P2) }
        guard let reference = PIVKeyReference(rawValue: command.p2), reference != .cardManagement else {
            return ResponseAPDU(.referencedDataNotFound)
        }
        guard session.managementKeyAuthenticated else { return ResponseAPDU(.securityStatusNotSatisfied) }
        guard let elements = try? TLVReader.elements(of: command.data), let control = elements.first(tag: 0xAC),
              let parameters = try? TLVReader.elements(of: control.value), let mechanism = parameters.first(tag: 0x80),
              mechanism.value.count == 1 else {
            return ResponseAPDU(.incorrectData)
        }
        guard let algorithm = PIVAlgorithm(rawValue: mechanism.value[0]), let key = CardKey.generate(algorithm),
              let point = try? key.publicPoint() else {
            return ResponseAPDU(.incorrectData)
        }
        var changed = state
        changed[key: reference] = key
        guard persist(changed) else { return ResponseAPDU(.noPreciseDiagnosis) }
        return ResponseAPDU(data: TLV(tag: 0x7F49, children: [TLV(tag: 0x86, value: point)]).encoded)
    }
}
