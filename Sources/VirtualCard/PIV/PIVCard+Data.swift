/// GET DATA and PUT DATA (SP 800-73-4 Part 2 §3.1.2, §3.3.2): objects named by a `5C` tag list element.
extension PIVCard {
    func getData(_ command: CommandAPDU) -> ResponseAPDU {
        guard command.p1 == 0x3F, command.p2 == 0xFF else { return ResponseAPDU(.incorrectP1P2) }
        guard let elements = try? TLVReader.elements(of: command.data), elements.count == 1,
              let list = elements.first(tag: 0x5C), let object = PIVDataObject(tagBytes: list.value) else {
            return ResponseAPDU(.incorrectData)
        }
        guard let stored = state[object: object] else { return ResponseAPDU(.fileNotFound) }
        return ResponseAPDU(data: stored)
    }

    /// Writes an object after management-key authentication. The `53` container is stored whole; writing an
    /// empty container deletes the object.
    func putData(_ command: CommandAPDU) -> ResponseAPDU {
        guard command.p1 == 0x3F, command.p2 == 0xFF else { return ResponseAPDU(.incorrectP1P2) }
        guard session.managementKeyAuthenticated else { return ResponseAPDU(.securityStatusNotSatisfied) }
        guard let elements = try? TLVReader.elements(of: command.data), elements.count == 2,
              elements[0].tag == 0x5C, elements[1].tag == 0x53,
              let object = PIVDataObject(tagBytes: elements[0].value), object.rawValue & 0xFFFF00 == 0x5FC100 else {
            return ResponseAPDU(.incorrectData)
        }
        var changed = state
        changed[object: object] = elements[1].value.isEmpty ? nil : elements[1].encoded
        return persist(changed) ? ResponseAPDU(.success) : ResponseAPDU(.noPreciseDiagnosis)
    }
}
