/// VERIFY for the PIV application PIN (reference 80), SP 800-73-4 Part 2 §3.2.1.
extension PIVCard {
    public static let pinReference: UInt8 = 0x80

    func verify(_ command: CommandAPDU) -> ResponseAPDU {
        guard command.p2 == Self.pinReference else { return ResponseAPDU(.referencedDataNotFound) }
        switch command.p1 {
        case 0xFF:
            // Reset the security status: OpenSC's logout.
            guard command.data.isEmpty else { return ResponseAPDU(.incorrectP1P2) }
            session.pinVerified = false
            session.pinAlwaysGrant = false
            return ResponseAPDU(.success)
        case 0x00:
            break
        default:
            return ResponseAPDU(.incorrectP1P2)
        }
        if state.isPINBlocked { return ResponseAPDU(.authenticationMethodBlocked) }
        if command.data.isEmpty {
            return ResponseAPDU(session.pinVerified ? .success : .wrongPIN(triesLeft: state.pinTriesLeft))
        }
        guard command.data.count == 8 else { return ResponseAPDU(.wrongLength) }
        let offered = Array(command.data.prefix { $0 != 0xFF })
        var changed = state
        if offered == Array(state.pin.utf8) {
            changed.pinTriesLeft = CardState.pinRetryLimit
            // Only write when the counter moves: a correct PIN before every signature must not fsync each time.
            if changed != state, !persist(changed) { return ResponseAPDU(.noPreciseDiagnosis) }
            session.pinVerified = true
            session.pinAlwaysGrant = true
            return ResponseAPDU(.success)
        }
        session.pinVerified = false
        session.pinAlwaysGrant = false
        changed.pinTriesLeft -= 1
        // The try is counted on disk before the answer, so cutting the power cannot buy another one.
        guard persist(changed) else { return ResponseAPDU(.noPreciseDiagnosis) }
        return ResponseAPDU(changed.isPINBlocked ? .authenticationMethodBlocked : .wrongPIN(triesLeft: changed.pinTriesLeft))
    }
}
