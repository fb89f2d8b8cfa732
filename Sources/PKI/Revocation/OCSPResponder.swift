import Signing
import Crypto
import Foundation
import SwiftASN1
import X509

/// What an OCSP responder needs from the CA it answers for: the CA certificate, its key, and what became of each
/// serial it issued. The PKI store's `CertificateAuthority` is one; keeping the responder to this protocol keeps the
/// OCSP encoding free of the database.
public protocol OCSPAuthority: Sendable {
    var certificate: Certificate { get }
    var signingKey: SignerPrivateKey { get }
    /// nil for a serial this CA never issued; otherwise its revocation, if any.
    func revocationState(of serial: CertificateSerial) async throws -> OCSPRevocationState?
}

/// What a CA knows of one certificate it issued.
public enum OCSPRevocationState: Sendable, Hashable {
    case good
    case revoked(at: Date, reason: CRLReason)
}

/// An OCSP responder (RFC 6960) answering for the certificates `authority` issued, with responses signed by the
/// CA key itself (no delegated responder certificate).
///
/// Requests are read strictly into `OCSPRequest` (every node's identifier checked, nothing unexpected skipped) and
/// answers are built as `OCSPResponse`. Any input yields a response: a request that is not a well-formed
/// OCSPRequest gets `malformedRequest`, a failure of the database or of the key gets `internalError`.
public struct OCSPResponder: Sendable {
    public let authority: any OCSPAuthority
    /// How long a response may be cached: nextUpdate = thisUpdate + validity.
    let validity: TimeInterval = 24 * 3600
    /// More CertIDs than this in one request is refused as malformed (a request costs one lookup each).
    static let maximumRequests = 100
    /// The nonce extension (RFC 6960 §4.4.1), echoed in the response.
    static let nonceOID: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 48, 1, 2]

    /// The CA's identity in CertIDs, read once: the certificate does not change while a responder lives, and every
    /// request is compared against it. A certificate it cannot be read from makes every answer `internalError`.
    private let issuer: Result<Issuer, any Error>

    public init(authority: any OCSPAuthority) {
        self.authority = authority
        issuer = Result { try Issuer(authority.certificate) }
    }

    /// The DER OCSPResponse for the DER OCSPRequest `request`.
    public func respond(to request: [UInt8], now: Date = Date()) async -> [UInt8] {
        let parsed: OCSPRequest
        do {
            parsed = try OCSPRequest(derEncoded: try DER.parse(request))
            guard (1...Self.maximumRequests).contains(parsed.tbsRequest.requestList.count) else {
                throw PKIError.malformed("OCSPRequest has \(parsed.tbsRequest.requestList.count) requests")
            }
        } catch {
            return OCSPResponse.unsuccessful(.malformedRequest)
        }
        do {
            return try derBytes(try await respond(to: parsed, now: now))
        } catch {
            return OCSPResponse.unsuccessful(.internalError)
        }
    }

    /// What identifies the CA in CertIDs and as responder: hashes of its subject Name's DER and of its
    /// subjectPublicKey BIT STRING contents (RFC 6960 §4.1.1).
    struct Issuer {
        var name: [UInt8]
        var publicKeyBits: [UInt8]

        init(_ certificate: Certificate) throws {
            // The Name and the key bits as the certificate carries them, from its TBSCertificate.
            let root = try DER.parse(try derBytes(certificate))
            guard root.identifier == .sequence, case .constructed(let top) = root.content,
                  let tbs = top.first(where: { _ in true }), tbs.identifier == .sequence,
                  case .constructed(let fields) = tbs.content else {
                throw PKIError.malformed("the CA certificate is not a certificate")
            }
            var nodes = Array(fields)
            if let first = nodes.first, first.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) {
                nodes.removeFirst()  // version
            }
            // serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo
            guard nodes.count >= 6, nodes[4].identifier == .sequence, nodes[5].identifier == .sequence,
                  case .constructed(let spki) = nodes[5].content else {
                throw PKIError.malformed("the CA certificate's TBSCertificate is too short")
            }
            name = Array(nodes[4].encodedBytes)
            var keyNodes = spki.makeIterator()
            guard keyNodes.next() != nil, let bits = keyNodes.next() else {
                throw PKIError.malformed("the CA certificate's subjectPublicKeyInfo lacks its key")
            }
            publicKeyBits = Array(try ASN1BitString(derEncoded: bits).bytes)
        }

        /// Whether `certID` names a certificate of this issuer; false too for a hash this responder does not do.
        func issued(_ certID: OCSPCertID) -> Bool {
            guard let hash = HashAlgorithm(certID.hashAlgorithm.algorithm) else { return false }
            return certID.issuerNameHash.bytes.elementsEqual(hash.hash(name)) && certID.issuerKeyHash.bytes.elementsEqual(hash.hash(publicKeyBits))
        }
    }

    /// The CertID hashes this responder computes.
    enum HashAlgorithm {
        case sha1, sha256

        init?(_ oid: ASN1ObjectIdentifier) {
            switch oid {
            case [1, 3, 14, 3, 2, 26]: self = .sha1
            case [2, 16, 840, 1, 101, 3, 4, 2, 1]: self = .sha256
            default: return nil
            }
        }

        func hash(_ bytes: [UInt8]) -> [UInt8] {
            switch self {
            case .sha1: Array(Insecure.SHA1.hash(data: bytes))
            case .sha256: Array(SHA256.hash(data: bytes))
            }
        }
    }

    func status(of certID: OCSPCertID, issuer: Issuer) async throws -> OCSPCertStatus {
        // Another CA's certificate, or a hash this responder does not do; a negative serial was never issued here.
        guard issuer.issued(certID), let serial = certID.serialNumber.serial else { return .unknown }
        switch try await authority.revocationState(of: serial) {
        case nil: return .unknown
        case .good: return .good
        // As in the CRL: the reason is given unless it is unspecified (RFC 5280 §5.3.1).
        case .revoked(let date, let reason):
            return .revoked(OCSPRevokedInfo(revocationTime: try GeneralizedTime(date), revocationReason: reason == .unspecified ? nil : reason))
        }
    }

    func respond(to request: OCSPRequest, now: Date) async throws -> OCSPResponse {
        let issuer = try issuer.get()
        let thisUpdate = try GeneralizedTime(now)
        let nextUpdate = try GeneralizedTime(now.addingTimeInterval(validity))
        var responses: [OCSPSingleResponse] = []
        for single in request.tbsRequest.requestList {
            let status = try await status(of: single.certID, issuer: issuer)
            responses.append(OCSPSingleResponse(certID: single.certID, certStatus: status, thisUpdate: thisUpdate, nextUpdate: nextUpdate))
        }
        let nonce = request.tbsRequest.requestExtensions?[oid: Self.nonceOID]
        let data = OCSPResponseData(
            // byKey: the SHA-1 of the subjectPublicKey bits.
            responderID: .byKey(ASN1OctetString(contentBytes: HashAlgorithm.sha1.hash(issuer.publicKeyBits)[...])), producedAt: thisUpdate,
            responses: responses, responseExtensions: try nonce.map { try Certificate.Extensions([$0]) }
        )
        return try OCSPResponse(try await BasicOCSPResponse(signing: data, with: authority.signingKey))
    }
}
