import Foundation
import Synchronization
import X509

/// Verdicts of `CertificateValidator` kept for a while, so a receiver checking the same signer's certificate for
/// every frame builds its path once a minute, not once a frame (path building is most of a frame's verification).
///
/// Only "valid" is kept, and only as long as nothing it rests on can have changed: the same trust anchors,
/// intermediates, revocation settings and CRLs (`Basis`: a new CRL empties the cache for that purpose), the check
/// time inside every chain certificate's validity and before each CRL's nextUpdate, and at most `timeToLive`. A
/// refusal is never kept: the next frame is checked afresh. OCSP checks are not kept either (asking the responder is
/// their point).
public final class ValidationCache: Sendable {
    public let timeToLive: TimeInterval
    public let capacity: Int
    private let entries = Mutex<[Key: Entry]>([:])

    struct Key: Hashable {
        var leaf: CertificateKey
        var profile: CertificateProfile
    }

    struct Entry {
        var chain: [Certificate]
        var basis: Basis
        var from: Date
        var until: Date
    }

    /// What a kept verdict rests on besides the leaf. Values, not text: it is built and compared for every frame a
    /// receiver checks, so it costs copies of references and a few comparisons (the strings it once was took as long
    /// as an RSA signature check). Certificates compare by their bytes; a CRL by issuer, thisUpdate, number and
    /// signature, so a CRL re-signed under the same number is a new basis too.
    struct Basis: Equatable {
        struct CRLStamp: Equatable {
            var issuer: DistinguishedName
            var thisUpdate: Date
            var number: Int?
            var signature: ArraySlice<UInt8>

            init(_ crl: ParsedCRL) {
                issuer = crl.issuer
                thisUpdate = crl.thisUpdate
                number = crl.number
                signature = crl.signature
            }
        }

        var trustAnchors: [Certificate]
        var intermediates: [Certificate]
        /// nil when revocation is not checked (a verdict kept without a revocation check never serves one with it).
        var crls: [CRLStamp]?
        var failClosed: Bool
        var staleCRLGrace: TimeInterval
    }

    public init(timeToLive: TimeInterval = 60, capacity: Int = 4096) {
        self.timeToLive = timeToLive
        self.capacity = capacity
    }

    public var count: Int { entries.withLock { $0.count } }

    func chain(for leaf: Certificate, profile: CertificateProfile, basis: Basis, at time: Date) -> [Certificate]? {
        entries.withLock { entries in
            guard let entry = entries[Key(leaf: CertificateKey(leaf), profile: profile)], entry.basis == basis,
                  time >= entry.from, time < entry.until else { return nil }
            return entry.chain
        }
    }

    func keep(_ chain: [Certificate], for leaf: Certificate, profile: CertificateProfile, basis: Basis, crls: [ParsedCRL], at time: Date) {
        var until = time.addingTimeInterval(timeToLive)
        for certificate in chain { until = min(until, certificate.notValidAfter) }
        for crl in crls { if let next = crl.nextUpdate { until = min(until, next) } }
        let from = chain.map(\.notValidBefore).max() ?? time
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[Key(leaf: CertificateKey(leaf), profile: profile)] = Entry(chain: chain, basis: basis, from: from, until: until)
        }
    }
}
