/// What a signer's failure means for a caller that signs all day long and must decide alone whether to try again.
///
/// Retrying is right for almost everything (a card pulled for a moment, a token being reset, a PIN file being
/// fixed: the PKCS#11 layer never retries a PIN the token refused). It is wrong when another try cannot help and may
/// harm: a blocked PIN, or a card whose key is not the one everybody holds the certificate for. Then the caller
/// stops and says what a person must do; the PKCS#11 layer marks those errors here, so the gateway does not need to
/// know PKCS#11 to tell them apart.
public enum SignerFailureKind: Sendable, Hashable {
    /// Try again later; nothing is lost by it.
    case retry
    /// Only a person can fix this (unblock the PIN, insert the right card); trying again would only repeat it.
    case operatorNeeded
}

/// An error that says which `SignerFailureKind` it is. Errors that do not conform count as `.retry`.
public protocol ClassifiedSignerError: Error {
    var failureKind: SignerFailureKind { get }
}

extension SignerFailureKind {
    /// The kind of any error a signer threw.
    public init(of error: any Error) {
        self = (error as? any ClassifiedSignerError)?.failureKind ?? .retry
    }
}
