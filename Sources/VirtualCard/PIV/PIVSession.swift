/// What the card knows only while powered: security status, a pending challenge, a half-received chained
/// command and a response still to be fetched. Power off and reset start a new session; a re-SELECT of the
/// PIV application does not (OpenSC selects again on every card lock and expects the PIN to stay verified).
struct PIVSession: Sendable {
    var pinVerified = false
    /// A PIN verification not yet spent on a "PIN always" key (9C): each one allows one signature.
    var pinAlwaysGrant = false
    var managementKeyAuthenticated = false
    /// Outstanding management-key challenge–response.
    var managementChallenge: ManagementChallenge?
    /// Header and data of a chained command so far.
    var chain: (ins: UInt8, p1: UInt8, p2: UInt8, data: [UInt8])?
    /// Response bytes not yet fetched by GET RESPONSE.
    var pendingResponse: [UInt8] = []

    enum ManagementChallenge: Sendable {
        /// External authentication: the card sent this challenge; the host must return it encrypted.
        case external([UInt8])
        /// Mutual authentication: the card sent this witness encrypted; the host must return it in clear.
        case witness([UInt8])
    }
}
