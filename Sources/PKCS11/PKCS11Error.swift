import CPKCS11
import Signing

/// Everything that can go wrong between a caller and a token, each case printing as one line that names the
/// cause and the fix. PINs never appear in these messages; URIs appear with any pin-value redacted.
public enum PKCS11Error: Error, Sendable, CustomStringConvertible {
    /// A Cryptoki call failed with a code that has no better description below.
    case call(String, ReturnValue)
    case moduleNotLoadable(path: String, reason: String)
    case tokenNotFound(PKCS11URI, available: [String])
    case tokenRemoved(String)
    case objectNotFound(PKCS11URI, what: String)
    case ambiguousObject(PKCS11URI, candidates: [String])
    case keyReplaced(PKCS11URI)
    case pinIncorrect(token: String, tries: PINTries)
    case pinLocked(token: String)
    case pinUnavailable(token: String)
    case pinValueRefused
    case pinSourceUnusable(String)
    case schemeUnsupported(SignatureScheme, KeyAlgorithm, token: String)
    case keyAlreadyExists(label: String, token: String)
    case certificateMismatch(String)
    case invalidRequest(String)

    /// How close a token says its user PIN is to locking, from the token-info flags after a wrong PIN.
    /// PKCS#11 gives no number, only these three states, so that is what a user is told.
    public enum PINTries: Sendable, Hashable {
        case unreported, low, finalTry
    }

    public var description: String {
        switch self {
        case .call(let function, let rv):
            let hint = rv.hint
            return "\(function) failed: \(rv.name)" + (hint.isEmpty ? "" : " (\(hint))")
        case .moduleNotLoadable(let path, let reason):
            return "cannot load PKCS#11 module \(path): \(reason); install it (SoftHSM: apt-get install softhsm2) or give the right path with --module or module-path="
        case .tokenNotFound(let uri, let available):
            let list = available.isEmpty ? "no initialised token is visible" : "tokens present: " + available.joined(separator: ", ")
            return "no token matches \(uri): \(list); check the token label, insert the card, or set SOFTHSM2_CONF for SoftHSM"
        case .tokenRemoved(let token):
            return "token \"\(token)\" was removed or reset and is not back; reinsert the card or re-create the token, then retry"
        case .objectNotFound(let uri, let what):
            return "no \(what) matches \(uri) on the token; list what is there with `gatewayctl token keys`"
        case .ambiguousObject(let uri, let candidates):
            return "\(uri) matches \(candidates.count) keys (\(candidates.joined(separator: "; "))); add id= or a distinct object= to the URI"
        case .keyReplaced(let uri):
            return "the key \(uri) was replaced on the token by a different key; open it again and re-enroll its certificate"
        case .pinIncorrect(let token, let tries):
            let left = switch tries {
            case .unreported: "the token does not report how many tries are left"
            case .low: "the token reports few tries left"
            case .finalTry: "the token reports ONE try left before the PIN locks"
            }
            return "wrong PIN for token \"\(token)\" (\(left)); it was not retried: fix GATEWAY_PIN or the pin-source file"
        case .pinLocked(let token):
            return "the user PIN of token \"\(token)\" is blocked, so nothing will try it again; unblock it with the SO PIN or the card's PUK (docs/smartcards.md), then reinsert the card or restart"
        case .pinUnavailable(let token):
            return "token \"\(token)\" needs a PIN: set GATEWAY_PIN, add ?pin-source=file:PATH to the URI, or run on a terminal to be asked"
        case .pinValueRefused:
            return "pin-value in a PKCS#11 URI is refused because it exposes the PIN in argv and config files; use GATEWAY_PIN or ?pin-source=file:PATH"
        case .pinSourceUnusable(let reason):
            return reason
        case .schemeUnsupported(let scheme, let algorithm, let token):
            return "token \"\(token)\" cannot sign \(scheme) with its \(algorithm) key (no matching mechanism); choose another scheme or key type"
        case .keyAlreadyExists(let label, let token):
            return "token \"\(token)\" already has a key labelled \"\(label)\"; choose another object= label or delete the old key first"
        case .certificateMismatch(let reason):
            return reason
        case .invalidRequest(let reason):
            return reason
        }
    }
}

extension PKCS11Error {
    /// A failure of the PIN itself (wrong, blocked, missing, unusable source). A service manager must not restart a
    /// daemon that stopped for one of these: every start would spend another of the card's few tries.
    public var isPINFailure: Bool {
        switch self {
        case .pinIncorrect, .pinLocked, .pinUnavailable, .pinSourceUnusable, .pinValueRefused: true
        case .call(_, let rv): rv.rawValue == CK_RV(CKR_PIN_LOCKED) || rv.rawValue == CK_RV(CKR_PIN_INCORRECT)
        default: false
        }
    }
}

extension PKCS11Error: ClassifiedSignerError {
    /// A blocked PIN and a key that is not the enrolled one need a person; everything else may come right by itself
    /// (a card reinserted, a token reset, a PIN file fixed: a refused PIN is never sent again, see `Token`).
    public var failureKind: SignerFailureKind {
        switch self {
        case .pinLocked, .keyReplaced, .pinValueRefused: .operatorNeeded
        case .call(_, let rv) where rv.rawValue == CK_RV(CKR_PIN_LOCKED): .operatorNeeded
        default: .retry
        }
    }
}
