import COSEM
import Foundation
import Metering
import PKI
import PKIStore
import Signing
import TestSupport
import Testing
import X509

/// Signed acknowledgements from the head-end to a gateway: the codec, the signer's checks, and everything the
/// gateway's verifier must refuse. Software keys and a software CA, as for records (the same code signs on a token).
@Suite("Signed acknowledgements: codec, sign, verify, forgeries")
struct AcknowledgementTests {
    let scratch: ScratchDirectory
    let authority: CertificateAuthority
    static let gatewayTitle = try! SystemTitle(hex: "00DB1234567890A0")
    static let headEndTitle = try! SystemTitle(hex: "48454144454E4401")

    init() async throws {
        scratch = try ScratchDirectory("acknowledgements")
        authority = try await CertificateAuthority.create(
            directory: PKIDirectory(path: scratch.path("pki")), keyURI: "software",
            signer: try SoftwareSigner(generating: .ecdsa(.p256)), subject: try SubjectName.parse("CN=Acknowledgement Test Root"),
            validity: try Validity("5y"), url: nil
        )
    }

    static func bytes(_ hex: String) -> [UInt8] {
        let digits = hex.filter { !$0.isWhitespace }
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(digits.dropFirst($0).prefix(2), radix: 16)! }
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02X", $0) }.joined() }

    func certificate(for signer: any Signer, title: SystemTitle, profile: CertificateProfile = .sign) async throws -> Certificate {
        let csr = try await CertificateRequests.make(signer: signer, subject: try SubjectName.parse("CN=\(title)"))
        return try await authority.issue(csr, profile: profile, validity: try Validity("1y"))
    }

    func validator(withCRL: Bool = true) throws -> CertificateValidator {
        let crl = try ParsedCRL(derEncoded: Array(try Data(contentsOf: URL(fileURLWithPath: authority.directory.crlPath))))
        return CertificateValidator(trustAnchors: [authority.certificate], crls: withCRL ? [crl] : [])
    }

    func verifier(withCRL: Bool = true) throws -> AcknowledgementVerifier {
        AcknowledgementVerifier(validator: try validator(withCRL: withCRL), headEnd: Self.headEndTitle, gateway: Self.gatewayTitle)
    }

    var directory: CertificateDatabase { authority.database }

    /// The head-end's key, certificate and signer.
    func headEnd() async throws -> (key: SoftwareSigner, certificate: Certificate, signer: AcknowledgementSigner) {
        let key = try SoftwareSigner(generating: .ecdsa(.p256))
        let certificate = try await certificate(for: key, title: Self.headEndTitle)
        return (key, certificate, try AcknowledgementSigner(signer: key, certificate: certificate, originator: Self.headEndTitle))
    }

    static let outcomes: [Acknowledgement.Outcome] = [
        .accepted, .duplicate,
        .refused(try! Refusal(reason: .signature, disposition: .final, text: "the signature does not verify")),
        .refused(try! Refusal(reason: .certificate, disposition: .retryLater, text: "cannot tell whether the certificate of CN=00DB1234567890A0 is revoked")),
        .refused(try! Refusal(reason: .replay, disposition: .final, text: "")),
    ]

    @Test("every outcome signs, encodes, decodes to the same value and re-encodes to the same bytes", arguments: outcomes)
    func roundTrip(_ outcome: Acknowledgement.Outcome) async throws {
        let (_, _, signer) = try await headEnd()
        let acknowledgement = Acknowledgement(transactionID: 0x1_0000_002A, outcome: outcome)
        let signed = try await signer.sign(acknowledgement, to: Self.gatewayTitle, transactionID: 0xABC_DEF0_1234)
        let bytes = signed.encoded
        let decoded = try SignedAcknowledgement(decoding: bytes)
        #expect(decoded == signed)
        #expect(decoded.encoded == bytes)
        #expect(decoded.acknowledgement == acknowledgement)
        #expect(decoded.transactionID == 0xABC_DEF0_1234)
        // The content's invoke id is the head-end's id's low 24 bits; the gateway's id is inside the structure.
        let (content, invokeID) = try Acknowledgement.decode(dataNotification: decoded.frame.content)
        #expect(content == acknowledgement && invokeID == 0xF0_1234)
        let result = try await verifier().verify(frame: bytes, certificates: directory, sent: [0x1_0000_002A])
        #expect(result.passed, "\(result.checks.filter { !$0.passed })")
        #expect(result.checks.map(\.name) == ["frame", "certificate_info", "originator", "recipient", "signature", "certificate", "transaction", "sequence"])
        #expect(result.acknowledgement == acknowledgement)
        #expect(result.headEndTransactionID == 0xABC_DEF0_1234)
    }

    /// The example of docs/records.md, "Signed acknowledgements", byte for byte.
    static let exampleHex = """
        DF 08 0000000000000007
           08 48454144454E4401
           08 00DB1234567890A0
           0C 07EA0B19030E363200000000
           2B 3029301F311D301B0603550403 0C 14 41636B6E6F776C656467656D656E7420526F6F74 0206 4B1D0000002A
           14 0F 00000007 00
                 02 03
                   15 000000000000002A
                   16 00
                   00
           40
        """

    @Test("the example in docs/records.md: exact bytes of an accepted acknowledgement of transaction 42, head-end transaction 7")
    func knownExample() throws {
        let info = CertificateInfo(issuer: try SubjectName.parse("CN=Acknowledgement Root"),
                                   serialNumber: Certificate.SerialNumber(bytes: [0x4B, 0x1D, 0x00, 0x00, 0x00, 0x2A]))
        let signature = [UInt8](repeating: 0xA5, count: 64)
        let signed = try SignedAcknowledgement(
            transactionID: 7, originator: Self.headEndTitle, recipient: Self.gatewayTitle,
            signedAt: COSEMDateTime(year: 2026, month: 11, day: 25, dayOfWeek: 3, hour: 14, minute: 54, second: 50),
            certificateInfo: info, acknowledgement: Acknowledgement(transactionID: 42, outcome: .accepted), signature: signature
        )
        let expected = Self.bytes(Self.exampleHex) + signature
        #expect(Self.hex(signed.encoded) == Self.hex(expected))
        #expect(try SignedAcknowledgement(decoding: expected) == signed)

        // The refused variant in docs/records.md: only the content changes.
        let refusal = try Refusal(reason: .certificate, disposition: .retryLater, text: "revocation status unavailable")
        let refused = Acknowledgement(transactionID: 42, outcome: .refused(refusal))
        #expect(Self.hex(refused.dataNotification(headEndTransactionID: 8).encoded) == Self.hex(Self.bytes("""
            0F 00000008 00 02 03 15 000000000000002A 16 02
               02 03 16 05 16 01 0A 1D 7265766F636174696F6E2073746174757320756E617661696C61626C65
            """)))
    }

    @Test("every truncation of a signed acknowledgement, and every extension of it, is a typed error; so is an oversized one")
    func truncations() async throws {
        let (_, _, signer) = try await headEnd()
        let refusal = try Refusal(reason: .certificate, disposition: .retryLater, text: "revocation status unavailable")
        let bytes = try await signer.sign(Acknowledgement(transactionID: 9, outcome: .refused(refusal)), to: Self.gatewayTitle,
                                          transactionID: 3).encoded
        let verifier = try verifier()
        for cut in 0..<bytes.count {
            #expect(throws: AcknowledgementError.self, "prefix of \(cut) bytes") { try SignedAcknowledgement(decoding: Array(bytes.prefix(cut))) }
        }
        // Through the verifier too: the frame check fails with the typed error, nothing else is looked at.
        let short = await verifier.verify(frame: Array(bytes.prefix(bytes.count - 1)), certificates: directory, sent: [9])
        #expect(short.checks.map(\.kind) == [.frame] && !short.passed)
        #expect(short.decodingError == .notGeneralSigning(.truncated(at: bytes.count - 1)))
        #expect(throws: AcknowledgementError.notGeneralSigning(.trailingBytes(at: bytes.count, count: 1))) {
            try SignedAcknowledgement(decoding: bytes + [0])
        }
        #expect(throws: AcknowledgementError.oversized(length: 5000, limit: SignedAcknowledgement.maxFrameSize)) {
            try SignedAcknowledgement(decoding: [UInt8](repeating: 0xDF, count: 5000))
        }
    }

    @Test("a change to any byte is refused, and never retryable")
    func bitFlips() async throws {
        let (_, _, signer) = try await headEnd()
        let bytes = try await signer.sign(Acknowledgement(transactionID: 42, outcome: .accepted), to: Self.gatewayTitle,
                                          transactionID: 7).encoded
        let verifier = try verifier()
        let untouched = await verifier.verify(frame: bytes, certificates: directory, sent: [42])
        #expect(untouched.passed, "the untouched acknowledgement must verify first: \(untouched.checks.filter { !$0.passed })")
        for index in bytes.indices {
            var changed = bytes
            changed[index] ^= 0x01
            let result = await verifier.verify(frame: changed, certificates: directory, sent: [42])
            #expect(!result.passed && !result.isRetryable && result.acknowledgement == nil,
                    "byte \(index) changed; failed: \(result.checks.filter { !$0.passed }.map(\.name))")
        }
    }

    @Test("forged: signed by another key, by the gateway's own key, by another head-end, for another gateway, for an id not sent, replayed")
    func forgeries() async throws {
        let (_, headEndCertificate, signer) = try await headEnd()
        let verifier = try verifier()
        let accepted = Acknowledgement(transactionID: 42, outcome: .accepted)
        func failed(_ signed: SignedAcknowledgement, sent: Set<UInt64> = [42], after: UInt64? = nil) async -> [AcknowledgementVerification.CheckKind] {
            await verifier.verify(frame: signed.encoded, certificates: directory, sent: sent, after: after).checks.filter { !$0.passed }.map(\.kind)
        }

        // Another key, naming the head-end's certificate: only the signature gives it away.
        let stranger = try SoftwareSigner(generating: .ecdsa(.p256))
        let otherKey = try await SignedAcknowledgement.sign(accepted, transactionID: 7, signer: stranger, certificate: headEndCertificate,
                                                            originator: Self.headEndTitle, recipient: Self.gatewayTitle)
        #expect(await failed(otherKey) == [.signature])

        // The gateway's own key and certificate (a valid signing certificate of this PKI), claiming to be the head-end.
        let gatewayKey = try SoftwareSigner(generating: .ecdsa(.p256))
        let gatewayCertificate = try await certificate(for: gatewayKey, title: Self.gatewayTitle)
        let ownKey = try await SignedAcknowledgement.sign(accepted, transactionID: 7, signer: gatewayKey, certificate: gatewayCertificate,
                                                          originator: Self.headEndTitle, recipient: Self.gatewayTitle)
        #expect(await failed(ownKey) == [.originator])
        let ownTitle = try await SignedAcknowledgement.sign(accepted, transactionID: 7, signer: gatewayKey, certificate: gatewayCertificate,
                                                            originator: Self.gatewayTitle, recipient: Self.gatewayTitle)
        #expect(await failed(ownTitle) == [.originator])

        // Another head-end of the same PKI, with its own valid certificate.
        let otherHeadEndTitle = try SystemTitle(hex: "48454144454E4402")
        let otherHeadEndKey = try SoftwareSigner(generating: .ecdsa(.p256))
        let otherHeadEnd = try AcknowledgementSigner(
            signer: otherHeadEndKey, certificate: try await certificate(for: otherHeadEndKey, title: otherHeadEndTitle),
            originator: otherHeadEndTitle
        )
        let fromOther = try await otherHeadEnd.sign(accepted, to: Self.gatewayTitle, transactionID: 7)
        let otherResult = await verifier.verify(frame: fromOther.encoded, certificates: directory, sent: [42])
        #expect(otherResult.checks.filter { !$0.passed }.map(\.kind) == [.originator])
        #expect(otherResult.failure?.detail == "the acknowledgement comes from system title 48454144454E4402, not the head-end 48454144454E4401")

        // The right head-end, but for another gateway, for an id this gateway did not send, or an old one again.
        let otherGateway = try await signer.sign(accepted, to: try SystemTitle(hex: "00DB1234567890FF"), transactionID: 8)
        #expect(await failed(otherGateway) == [.recipient])
        let genuine = try await signer.sign(accepted, to: Self.gatewayTitle, transactionID: 9)
        #expect(await failed(genuine, sent: [41, 43]) == [.transaction])
        #expect(await failed(genuine, sent: [42], after: 9) == [.sequence])
        #expect(await failed(genuine, sent: [42], after: 8) == [])
    }

    @Test("a retry-later refusal round trips; an unverifiable head-end certificate is retryable, a revoked one is not")
    func retryLater() async throws {
        // The head-end's refusal of a record it could not check for revocation, made from its verification.
        let gatewayKey = try SoftwareSigner(generating: .ecdsa(.p256))
        let gatewayCertificate = try await certificate(for: gatewayKey, title: Self.gatewayTitle)
        let record = try MeasurementRecord(
            measurementTime: COSEMDateTime(unixTime: UnixTime(seconds: 1_795_608_000))!, sequenceNumber: 42,
            meterIdent: "PAC3200", meterNumber: "12345678", locationIdent: "Substation 7",
            counterValues: [CounterValue(obis: try OBISCode("1.0.1.8.0.255"), value: 1234.5, scaler: 0, unit: 30)],
            errorCode: 0, state: BitString(count: 32, bytes: [0, 0, 0, 0])!
        )
        let frame = try await RecordSigner(signer: gatewayKey, certificate: gatewayCertificate, originator: Self.gatewayTitle,
                                           recipient: Self.headEndTitle).sign(record, transactionID: 42)
        let unchecked = await RecordVerifier(validator: try validator(withCRL: false)).verify(frame: frame.encoded, certificate: gatewayCertificate)
        let refusal = try #require(Refusal(unchecked))
        #expect(refusal.reason == .certificate && refusal.disposition == .retryLater)
        #expect(refusal.text.hasPrefix("cannot tell whether the certificate of CN=00DB1234567890A0 is revoked"))
        #expect(Refusal(await RecordVerifier(validator: try validator()).verify(frame: frame.encoded, certificate: gatewayCertificate)) == nil)

        let (_, headEndCertificate, signer) = try await headEnd()
        let signed = try await signer.sign(Acknowledgement(transactionID: 42, outcome: .refused(refusal)), to: Self.gatewayTitle, transactionID: 11)
        let result = try await verifier().verify(frame: signed.encoded, certificates: directory, sent: [42])
        #expect(result.passed)
        #expect(result.acknowledgement?.outcome == .refused(refusal))
        #expect(!(result.acknowledgement?.isDelivered ?? true))

        // The gateway without a CRL for the head-end's certificate: no verdict, verify again later.
        let blind = try await verifier(withCRL: false).verify(frame: signed.encoded, certificates: directory, sent: [42])
        #expect(blind.checks.filter { !$0.passed }.map(\.kind) == [.certificate])
        #expect(blind.isRetryable && blind.acknowledgement == nil)

        try await authority.revoke(serial: CertificateSerial(headEndCertificate.serialNumber), reason: .keyCompromise)
        let revoked = try await verifier().verify(frame: signed.encoded, certificates: directory, sent: [42])
        #expect(revoked.failure?.kind == .certificate && !revoked.isRetryable)
    }

    @Test("a refusal's text is printable ASCII of at most 255 characters; foreign text is made to fit")
    func refusalText() throws {
        #expect(throws: AcknowledgementError.self) { try Refusal(reason: .frame, disposition: .final, text: "line\nbreak") }
        #expect(throws: AcknowledgementError.self) { try Refusal(reason: .frame, disposition: .final, text: String(repeating: "x", count: 256)) }
        let fitted = Refusal(reason: .signature, disposition: .final, describing: "r‖s — " + String(repeating: "y", count: 300))
        #expect(fitted.text.utf8.count == 255 && fitted.text.hasPrefix("r?s ? y") && fitted.text.hasSuffix("..."))
        #expect(Refusal.Reason.allCases.map(\.rawValue) == Array(1...10))
        #expect(RecordVerification.CheckKind.allCases.map { Refusal.Reason($0).description }
            == ["frame", "certificate_info", "originator", "signature", "certificate", "content", "content"])
    }

    @Test("content that is not exactly an acknowledgement is refused with a typed error", arguments: [
        ("0F 00000007 00 02 03 15 000000000000002A 16 03 00", "outcome 3"),
        ("0F 00000007 00 02 03 15 000000000000002A 16 00 02 03 16 05 16 01 0A 00", "accepted with a refusal"),
        ("0F 00000007 00 02 03 15 000000000000002A 16 02 00", "refused without one"),
        ("0F 00000007 00 02 03 15 000000000000002A 16 02 02 03 16 0B 16 01 0A 00", "reason 11"),
        ("0F 00000007 00 02 03 15 000000000000002A 16 02 02 03 16 05 16 02 0A 00", "disposition 2"),
        ("0F 00000007 00 02 03 15 000000000000002A 16 02 02 03 16 05 16 01 09 00", "octet-string text"),
        ("0F 00000007 00 02 03 15 000000000000002A 16 02 02 03 16 05 16 01 0A 01 07", "control character"),
        ("0F 40000007 00 02 03 15 000000000000002A 16 00 00", "confirmed flag"),
        ("0F 00000007 0C 07EA0B19030E363200000000 02 03 15 000000000000002A 16 00 00", "header date-time"),
        ("0F 00000007 00 02 03 06 0000002A 16 00 00", "double-long-unsigned id"),
        ("0F 00000007 00 02 04 15 000000000000002A 16 00 00 00", "four elements"),
        ("0F 00000007 00 02 03 15 000000000000002A 16 00 00 00", "trailing byte"),
        ("0F 00000007 00 02 03 15 000000000000002A 16 00 01 00", "an array for the refusal"),
        ("0F 00000007 00 02 03 15 000000000000002A 16 02 02 03 16 05 16 01 0A 82 0100" + String(repeating: "41", count: 256), "256 characters"),
    ])
    func malformedContent(_ hex: String, _ what: String) {
        #expect(throws: AcknowledgementError.self, "\(what)") { try Acknowledgement.decode(dataNotification: Self.bytes(hex)) }
    }

    @Test("the head-end's signer refuses a certificate of another key, another system title, or a TLS certificate")
    func signerChecks() async throws {
        let key = try SoftwareSigner(generating: .ecdsa(.p256))
        let certificate = try await certificate(for: key, title: Self.headEndTitle)
        #expect(throws: SigningIdentityError.self) {
            try AcknowledgementSigner(signer: try SoftwareSigner(generating: .ecdsa(.p256)), certificate: certificate, originator: Self.headEndTitle)
        }
        #expect(throws: SigningIdentityError.certificateForAnotherSystemTitle(systemTitle: "00DB1234567890A0", commonName: "48454144454E4401")) {
            try AcknowledgementSigner(signer: key, certificate: certificate, originator: Self.gatewayTitle)
        }
        let tls = try await self.certificate(for: key, title: Self.headEndTitle, profile: .tls)
        #expect(throws: SigningIdentityError.self) {
            try AcknowledgementSigner(signer: key, certificate: tls, originator: Self.headEndTitle)
        }
    }
}
