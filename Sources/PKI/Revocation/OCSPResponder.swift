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
/// swift-certificates keeps its OCSP types internal, so requests are parsed with SwiftASN1 (strictly: every
/// node's identifier is checked, nothing unexpected is skipped) and responses are built as DER by hand. Any
/// input yields a response: a request that is not a well-formed OCSPRequest gets `malformedRequest`, a failure
/// of the database or of the key gets `internalError`.
public struct OCSPResponder: Sendable {
    public let authority: any OCSPAuthority
    /// How long a response may be cached: nextUpdate = thisUpdate + validity.
    let validity: TimeInterval = 24 * 3600
    /// More CertIDs than this in one request is refused as malformed (a request costs one lookup each).
    static let maximumRequests = 100

    public init(authority: any OCSPAuthority) {
        self.authority = authority
    }

    /// The DER OCSPResponse for the DER OCSPRequest `request`.
    public func respond(to request: [UInt8], now: Date = Date()) async -> [UInt8] {
        let parsed: Request
        do {
            parsed = try Request(derEncoded: request)
        } catch {
            return Self.status(.malformedRequest)
        }
        do {
            return try await respond(to: parsed, now: now)
        } catch {
            return Self.status(.internalError)
        }
    }

    // MARK: Responses

    enum ResponseStatus: UInt8 {
        case successful = 0
        case malformedRequest = 1
        case internalError = 2
        case tryLater = 3
        case sigRequired = 5
        case unauthorized = 6
    }

    /// An OCSPResponse without responseBytes (every status but successful).
    static func status(_ status: ResponseStatus) -> [UInt8] {
        DERBytes.sequence(DERBytes.tagged(0x0A, [status.rawValue]))
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

        func nameHash(_ algorithm: Request.HashAlgorithm) -> [UInt8] { algorithm.hash(name) }
        func keyHash(_ algorithm: Request.HashAlgorithm) -> [UInt8] { algorithm.hash(publicKeyBits) }
    }

    enum CertStatus: Equatable {
        case good
        case revoked(Date, CRLReason?)
        case unknown

        var der: [UInt8] {
            switch self {
            case .good: [0x80, 0x00]  // [0] IMPLICIT NULL
            case .unknown: [0x82, 0x00]  // [2] IMPLICIT NULL
            case .revoked(let date, let reason):
                // [1] IMPLICIT RevokedInfo { revocationTime, revocationReason [0] EXPLICIT CRLReason OPTIONAL }
                DERBytes.tagged(0xA1, DERBytes.generalizedTime(date) + (reason.map { DERBytes.tagged(0xA0, DERBytes.tagged(0x0A, [UInt8($0.rawValue)])) } ?? []))
            }
        }
    }

    func status(of certID: Request.CertID, issuer: Issuer) async throws -> CertStatus {
        guard let algorithm = certID.hashAlgorithm,
              certID.issuerNameHash == issuer.nameHash(algorithm),
              certID.issuerKeyHash == issuer.keyHash(algorithm) else {
            return .unknown  // another CA's certificate, or a hash this responder does not do
        }
        guard let serial = certID.serial else { return .unknown }  // negative: never issued here
        switch try await authority.revocationState(of: serial) {
        case nil: return .unknown
        case .good: return .good
        // As in the CRL: the reason is given unless it is unspecified (RFC 5280 §5.3.1).
        case .revoked(let date, let reason): return .revoked(date, reason == .unspecified ? nil : reason)
        }
    }

    func respond(to request: Request, now: Date) async throws -> [UInt8] {
        let issuer = try Issuer(authority.certificate)
        let thisUpdate = DERBytes.generalizedTime(now)
        let nextUpdate = DERBytes.tagged(0xA0, DERBytes.generalizedTime(now.addingTimeInterval(validity)))
        var responses: [[UInt8]] = []
        for certID in request.certIDs {
            let status = try await status(of: certID, issuer: issuer)
            responses.append(DERBytes.sequence(certID.encoded, status.der, thisUpdate, nextUpdate))
        }
        // ResponderID byKey [2] EXPLICIT KeyHash (SHA-1 of the subjectPublicKey bits).
        let responderID = DERBytes.tagged(0xA2, DERBytes.tagged(0x04, Request.HashAlgorithm.sha1.hash(issuer.publicKeyBits)))
        var tbs = responderID + DERBytes.generalizedTime(now) + DERBytes.sequence(of: responses)
        if let nonce = request.nonce {
            tbs += DERBytes.tagged(0xA1, DERBytes.sequence(of: [nonce]))  // responseExtensions [1] EXPLICIT
        }
        let responseData = DERBytes.sequence(of: [tbs])
        let key = authority.signingKey
        let algorithm = CertificateRevocationList.algorithmIdentifier(key.defaultSignatureAlgorithm)
        let signature = try await key.signatureValue(over: responseData)
        let basic = DERBytes.sequence(responseData, algorithm, DERBytes.tagged(0x03, [0x00] + signature))
        let responseBytes = DERBytes.sequence(CertificateRevocationList.oid([1, 3, 6, 1, 5, 5, 7, 48, 1, 1]), DERBytes.tagged(0x04, basic))
        return DERBytes.sequence(DERBytes.tagged(0x0A, [ResponseStatus.successful.rawValue]), DERBytes.tagged(0xA0, responseBytes))
    }

    // MARK: Requests

    /// An OCSPRequest (RFC 6960 §4.1.1), parsed strictly.
    struct Request {
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

        struct CertID {
            /// nil for a hash algorithm this responder does not compute (the answer is then `unknown`).
            var hashAlgorithm: HashAlgorithm?
            var issuerNameHash: [UInt8]
            var issuerKeyHash: [UInt8]
            /// The serial the INTEGER names; nil for a negative INTEGER, which no certificate here carries.
            var serial: CertificateSerial?
            /// The CertID exactly as the request had it, echoed in the response.
            var encoded: [UInt8]
        }

        var certIDs: [CertID] = []
        /// The nonce extension (1.3.6.1.5.5.7.48.1.2) as the request encoded it, echoed in the response.
        var nonce: [UInt8]?

        static let nonceOID: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 48, 1, 2]

        init(derEncoded bytes: [UInt8]) throws {
            let root = try DER.parse(bytes)
            var top = try Self.children(of: root, .sequence).makeIterator()
            guard let tbs = top.next() else { throw PKIError.malformed("OCSPRequest is empty") }
            if let signature = top.next() {  // optionalSignature [0] EXPLICIT Signature: not checked
                _ = try Self.explicit(signature, tag: 0)
            }
            guard top.next() == nil else { throw PKIError.malformed("OCSPRequest has trailing fields") }

            var fields = try Self.children(of: tbs, .sequence)[...]
            if let version = fields.first, version.identifier == Self.context(0) {
                fields.removeFirst()
                guard try Int(derEncoded: try Self.explicit(version, tag: 0)) == 0 else { throw PKIError.malformed("unknown OCSP version") }
            }
            if let requestor = fields.first, requestor.identifier == Self.context(1) {
                fields.removeFirst()
                _ = try GeneralName(derEncoded: try Self.explicit(requestor, tag: 1))
            }
            guard let list = fields.popFirst() else { throw PKIError.malformed("OCSPRequest lacks its requestList") }
            let requests = try Self.children(of: list, .sequence)
            guard !requests.isEmpty, requests.count <= OCSPResponder.maximumRequests else {
                throw PKIError.malformed("OCSPRequest has \(requests.count) requests")
            }
            for request in requests {
                var parts = try Self.children(of: request, .sequence).makeIterator()
                guard let certID = parts.next() else { throw PKIError.malformed("Request lacks its CertID") }
                certIDs.append(try Self.certID(certID))
                if let extensions = parts.next() {  // singleRequestExtensions [0] EXPLICIT: none understood
                    _ = try Self.extensions(try Self.explicit(extensions, tag: 0))
                }
                guard parts.next() == nil else { throw PKIError.malformed("Request has trailing fields") }
            }
            if let extensions = fields.popFirst() {
                for (oid, node) in try Self.extensions(try Self.explicit(extensions, tag: 2)) where oid == Self.nonceOID {
                    nonce = Array(node.encodedBytes)
                }
            }
            guard fields.isEmpty else { throw PKIError.malformed("TBSRequest has trailing fields") }
        }

        static func context(_ tag: UInt) -> ASN1Identifier { ASN1Identifier(tagWithNumber: tag, tagClass: .contextSpecific) }

        /// The children of a constructed node with identifier `identifier`.
        static func children(of node: ASN1Node, _ identifier: ASN1Identifier) throws -> [ASN1Node] {
            guard node.identifier == identifier, case .constructed(let children) = node.content else {
                throw PKIError.malformed("expected \(identifier), found \(node.identifier)")
            }
            return Array(children)
        }

        /// The one node inside an EXPLICIT [tag].
        static func explicit(_ node: ASN1Node, tag: UInt) throws -> ASN1Node {
            let children = try children(of: node, context(tag))
            guard children.count == 1 else { throw PKIError.malformed("[\(tag)] EXPLICIT holds \(children.count) values") }
            return children[0]
        }

        static func certID(_ node: ASN1Node) throws -> CertID {
            let parts = try children(of: node, .sequence)
            guard parts.count == 4 else { throw PKIError.malformed("CertID has \(parts.count) fields") }
            // AlgorithmIdentifier { algorithm, parameters NULL OPTIONAL }
            let algorithm = try children(of: parts[0], .sequence)
            guard algorithm.count == 1 || algorithm.count == 2 else { throw PKIError.malformed("hashAlgorithm is malformed") }
            let oid = try ASN1ObjectIdentifier(derEncoded: algorithm[0])
            if algorithm.count == 2 { _ = try ASN1Null(derEncoded: algorithm[1]) }
            let nameHash = try ASN1OctetString(derEncoded: parts[1])
            let keyHash = try ASN1OctetString(derEncoded: parts[2])
            // DER's minimal two's-complement INTEGER, checked; the 00 before a high bit is not part of the serial.
            let serial = try CertificateSerial.decoding(parts[3])
            return CertID(
                hashAlgorithm: HashAlgorithm(oid), issuerNameHash: Array(nameHash.bytes), issuerKeyHash: Array(keyHash.bytes),
                serial: serial, encoded: Array(node.encodedBytes)
            )
        }

        /// Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension, each checked; an OID may appear once.
        static func extensions(_ node: ASN1Node) throws -> [(ASN1ObjectIdentifier, ASN1Node)] {
            let list = try children(of: node, .sequence)
            guard !list.isEmpty else { throw PKIError.malformed("empty Extensions") }
            var result: [(ASN1ObjectIdentifier, ASN1Node)] = []
            for node in list {
                let parsed = try Certificate.Extension(derEncoded: node)
                guard !result.contains(where: { $0.0 == parsed.oid }) else { throw PKIError.malformed("extension \(parsed.oid) repeated") }
                result.append((parsed.oid, node))
            }
            return result
        }
    }
}

extension DERBytes {
    /// A GeneralizedTime `YYYYMMDDHHMMSSZ` (whole seconds, UTC), as OCSP uses for every time (RFC 6960 §4.2.2.1).
    static func generalizedTime(_ date: Date) -> [UInt8] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let year = min(max(c.year ?? 1970, 0), 9999)
        func two(_ n: Int?) -> String { String(format: "%02d", n ?? 0) }
        let text = String(format: "%04d", year) + two(c.month) + two(c.day) + two(c.hour) + two(c.minute) + two(c.second) + "Z"
        return tagged(0x18, Array(text.utf8))
    }
}
