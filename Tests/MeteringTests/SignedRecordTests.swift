import COSEM
import Foundation
import Metering
import Modbus
import PKI
import PKIStore
import Signing
import SwiftASN1
import TestSupport
import Testing
import X509

/// Signed records end to end with a software CA and software device keys (the same code signs on a token).
@Suite("Signed measurement records: sign, verify, tamper")
struct SignedRecordTests {
    /// The CA's directory, removed when Swift Testing drops the suite instance after the test.
    let scratch: ScratchDirectory
    let authority: CertificateAuthority
    let gatewayTitle = try! SystemTitle(hex: "00DB1234567890A0")
    let headEndTitle = try! SystemTitle(hex: "48454144454E4401")

    init() async throws {
        scratch = try ScratchDirectory("records")
        authority = try await CertificateAuthority.create(
            directory: PKIDirectory(path: scratch.path("pki")), keyURI: "software",
            signer: try SoftwareSigner(generating: .ecdsa(.p256)), subject: try SubjectName.parse("CN=Record Test Root"),
            validity: try Validity("5y"), url: nil
        )
    }

    static let readingJSON = """
        {"time": "2026-11-25T12:00:00.250Z", "meter": "Siemens SENTRON PAC3200",
         "values": [
           {"obis": "1.0.32.7.0.255", "name": "voltage L1-N", "value": 230.25, "unit": "V", "scaler": 0, "valid": true},
           {"obis": "1.0.52.7.0.255", "name": "voltage L2-N", "value": null, "unit": "V", "scaler": 0, "valid": false, "problem": "not read: timeout"},
           {"obis": "1.0.1.8.1.255", "name": "active energy import T1", "value": 1234567.5, "unit": "Wh", "scaler": 0, "valid": true}],
         "status": {"limit_violations": 0, "device_status": 67108864, "error_code": 66, "conditions": ["timeout", "voltage overload"]},
         "rtt_ms": [0.4, null, 0.2], "errors": []}
        """

    /// The map the reading above was taken with: two voltages and an energy counter.
    static func map() throws -> RegisterMap {
        try RegisterMap(meter: "PAC3200", definitions: [
            RegisterDefinition(name: "voltage L1-N", address: 1, type: .float32, kind: .value, unit: "V", obis: "1.0.32.7.0.255"),
            RegisterDefinition(name: "voltage L2-N", address: 3, type: .float32, kind: .value, unit: "V", obis: "1.0.52.7.0.255"),
            RegisterDefinition(name: "active energy import T1", address: 801, type: .float64, kind: .counter, unit: "Wh", obis: "1.0.1.8.1.255"),
        ])
    }

    static let identity = RecordBuilder.Identity(meterIdent: "PAC3200", meterNumber: "12345678", locationIdent: "Substation 7")

    func record(transactionID: UInt64 = 70_000) throws -> MeasurementRecord {
        let map = try Self.map()
        let snapshot = try MeterSnapshot(try ReadingDocument.decode(Data(Self.readingJSON.utf8)), map: map)
        return try RecordBuilder(map: map, identity: Self.identity).record(of: snapshot, transactionID: transactionID)
    }

    func certificate(for signer: any Signer, subject: String = "CN=00DB1234567890A0", profile: CertificateProfile = .sign) async throws -> Certificate {
        let csr = try await CertificateRequests.make(signer: signer, subject: try SubjectName.parse(subject))
        return try await authority.issue(csr, profile: profile, validity: try Validity("1y"))
    }

    func verifier() throws -> RecordVerifier {
        let crl = try ParsedCRL(derEncoded: Array(try Data(contentsOf: URL(fileURLWithPath: authority.directory.crlPath))))
        return RecordVerifier(validator: CertificateValidator(trustAnchors: [authority.certificate], crls: [crl]))
    }

    @Test("the record keeps every field: unread values as null-data, the status word as 32 state bits, sequence_nr wrapping")
    func recordFields() throws {
        let record = try record(transactionID: 70_000)
        #expect(record.sequenceNumber == UInt16(70_000 % 65_536))
        #expect(record.counterValues.map(\.value) == [230.25, nil, 1234567.5])
        #expect(record.counterValues.map(\.unit) == [35, 35, 30])
        #expect(record.errorCode == 66)
        #expect(record.state.count == 32 && record.state[5] && record.state.bits.filter { $0 }.count == 1)
        #expect(record.measurementTime.unixTime == UnixTime(seconds: 1_795_608_000, hundredths: 25))
        let decoded = try MeasurementRecord(try COSEMData(decoding: record.data.encoded))
        #expect(decoded == record)
    }

    @Test("signatures for P-256 (suite 1), P-384 (suite 2) and RSA (PSS extension) verify; raw r||s lengths", arguments: [
        KeyAlgorithm.ecdsa(.p256), .ecdsa(.p384), .rsa(bits: 2048),
    ])
    func signAndVerify(_ algorithm: KeyAlgorithm) async throws {
        let key = try SoftwareSigner(generating: algorithm)
        let cert = try await certificate(for: key)
        let frame = try await SignedRecord.sign(try record(), transactionID: 70_000, signer: key, certificate: cert,
                                                originator: gatewayTitle, recipient: headEndTitle)
        switch algorithm {
        case .ecdsa(.p256): #expect(frame.signature.count == 64)
        case .ecdsa(.p384): #expect(frame.signature.count == 96)
        default: #expect(frame.signature.count == 256)
        }
        let result = try await verifier().verify(frame: frame.encoded, certificate: cert)
        #expect(result.passed, "\(result.checks.filter { !$0.passed })")
        #expect(result.checks.map(\.kind) == [.frame, .certificateInfo, .originator, .signature, .certificate, .content])
        #expect(result.checks.map(\.name) == ["frame", "certificate_info", "originator", "signature", "certificate", "content"])
        #expect(result.record == (try record()))
        #expect(result.transactionID == 70_000)
        // Convention B is a different set of bytes: a verifier expecting it rejects an A-signed frame.
        var b = try verifier()
        b.convention = .b
        #expect(await b.verify(frame: frame.encoded, certificate: cert).failure?.kind == .signature)
    }

    @Test("the untouched frame verifies; a change to any byte of it fails decoding or the signature")
    func tampering() async throws {
        let key = try SoftwareSigner(generating: .ecdsa(.p256))
        let cert = try await certificate(for: key)
        let frame = try await SignedRecord.sign(try record(transactionID: 5), transactionID: 5, signer: key, certificate: cert,
                                                originator: gatewayTitle, recipient: headEndTitle).encoded
        let verifier = try verifier()
        let untouched = await verifier.verify(frame: frame, certificate: cert)
        #expect(untouched.passed, "the untouched frame must verify first: \(untouched.checks.filter { !$0.passed })")
        for index in frame.indices {
            var changed = frame
            changed[index] ^= 0x01
            let result = await verifier.verify(frame: changed, certificate: cert)
            let failed = Set(result.checks.filter { !$0.passed }.map(\.kind))
            // Convention A signs every byte but the signature's own: a decodable frame must fail its signature.
            #expect(failed.contains(.frame) || failed.contains(.signature), "byte \(index) changed; failed only \(failed)")
        }
    }

    @Test("a wrong system title, the wrong profile, another certificate, a revoked certificate: each its own reason")
    func refusals() async throws {
        let key = try SoftwareSigner(generating: .ecdsa(.p256))
        let cert = try await certificate(for: key)
        let otherTitle = try await SignedRecord.sign(try record(transactionID: 1), transactionID: 1, signer: key, certificate: cert,
                                                     originator: try SystemTitle(hex: "00DB1234567890FF"), recipient: headEndTitle)
        let titleResult = try await verifier().verify(frame: otherTitle.encoded, certificate: cert)
        #expect(titleResult.failure?.kind == .originator)
        #expect(titleResult.failure?.detail == "the frame comes from system title 00DB1234567890FF, but the certificate is for 00DB1234567890A0")

        let tlsCert = try await certificate(for: key, profile: .tls)
        let tlsFrame = try await SignedRecord.sign(try record(transactionID: 2), transactionID: 2, signer: key, certificate: tlsCert,
                                                   originator: gatewayTitle, recipient: headEndTitle)
        let profileResult = try await verifier().verify(frame: tlsFrame.encoded, certificate: tlsCert)
        #expect(profileResult.failure?.kind == .certificate)
        #expect(profileResult.certificateFailure == .wrongProfile(subject: "CN=00DB1234567890A0", expected: .sign, detail: "it is a TLS certificate (extended key usage set)"))
        #expect(!profileResult.isRetryable)

        let frame = try await SignedRecord.sign(try record(transactionID: 3), transactionID: 3, signer: key, certificate: cert,
                                                originator: gatewayTitle, recipient: headEndTitle)
        // Each refusal below is the only failed check: everything else about these frames is right.
        #expect(titleResult.checks.filter { !$0.passed }.map(\.kind) == [.originator])
        #expect(profileResult.checks.filter { !$0.passed }.map(\.kind) == [.certificate])
        #expect(try await verifier().verify(frame: frame.encoded, certificate: cert).passed)
        let otherCert = try await certificate(for: try SoftwareSigner(generating: .ecdsa(.p256)))
        let otherResult = try await verifier().verify(frame: frame.encoded, certificate: otherCert)
        #expect(otherResult.failure?.kind == .certificateInfo)

        try await authority.revoke(serial: cert.serialNumber.bytes.hexString, reason: .keyCompromise)
        let revokedResult = try await verifier().verify(frame: frame.encoded, certificate: cert)
        #expect(revokedResult.failure?.kind == .certificate)
        #expect(revokedResult.failure?.detail.hasSuffix("(keyCompromise)") == true)
        guard case .revoked(_, _, _, let reason) = revokedResult.certificateFailure else {
            Issue.record("a revoked signer refused as \(String(describing: revokedResult.certificateFailure))")
            return
        }
        #expect(reason == .keyCompromise)
        #expect(!revokedResult.isRetryable, "a revoked signer's frame is refused for good")

        // Without the CRL there is no verdict on the certificate: the frame is to be held and retried.
        let blind = RecordVerifier(validator: CertificateValidator(trustAnchors: [authority.certificate], crls: []))
        let held = await blind.verify(frame: frame.encoded, certificate: cert)
        #expect(held.failure?.kind == .certificate)
        #expect(held.isRetryable)
    }

    @Test("the published GBCS general-signing vector verifies under convention A and fails under B")
    func gbcsVector() throws {
        let hexFrame = "DF090200000000000003E80800DB1234567890A00890B3D51F300100000002000B0302010040B5A202F56E6AF82256FD36E666FAC1FD3B10350C2F484E47304F3617E0C6CA18246FD116384FF159B3D1A5300F854364BEEC41D7C2A920262F8C2E998E234B28"
        let bytes = stride(from: 0, to: hexFrame.count, by: 2).map { UInt8(hexFrame.dropFirst($0).prefix(2), radix: 16)! }
        let frame = try GeneralSigning(decoding: bytes)
        // A copy of ../shared/vectors/dlms/gbcs-00db1234567890a0-ds.pem (the published signer certificate), kept
        // with the tests so they do not depend on where the shared folder is.
        let vector = repositoryRoot.appendingPathComponent("Tests/MeteringTests/Fixtures/gbcs-00db1234567890a0-ds.pem")
        let pem = try String(contentsOf: vector, encoding: .utf8)
        let certificate = try Certificate(pemEncoded: pem)
        let key = try PublicKey(subjectPublicKeyInfo: try derBytes(certificate.publicKey))
        let signature = Signature(scheme: .ecdsa(.sha256), bytes: frame.signature)
        #expect(key.isValidSignature(signature, for: frame.signedBytes(.a)))
        #expect(!key.isValidSignature(signature, for: frame.signedBytes(.b)))
    }
}

func derBytes(_ value: some DERSerializable) throws -> [UInt8] {
    var serializer = DER.Serializer()
    try serializer.serialize(value)
    return serializer.serializedBytes
}

extension SignedRecordTests {
    @Test("the direct record codec writes exactly the COSEMData tree's bytes and reads them back; damage is refused")
    func directCodec() throws {
        let record = try record(transactionID: 0x1_2345_6789)
        let direct = record.encodedDataNotification(transactionID: 0x1_2345_6789)
        #expect(direct == record.dataNotification(transactionID: 0x1_2345_6789).encoded)
        let (decoded, invokeID) = try MeasurementRecord.decode(dataNotification: direct)
        #expect(decoded == record)
        #expect(invokeID == 0x45_6789)  // the transaction id's low 24 bits
        for cut in 0..<direct.count {
            #expect(throws: RecordError.self) { try MeasurementRecord.decode(dataNotification: Array(direct.prefix(cut))) }
        }
        #expect(throws: RecordError.self) { try MeasurementRecord.decode(dataNotification: direct + [0]) }
    }
}

extension SignedRecordTests {
    @Test("evidence verifies with nothing but the CA and its CRL; an altered copy of the record is caught")
    func evidence() async throws {
        let key = try SoftwareSigner(generating: .ecdsa(.p384))
        let cert = try await certificate(for: key)
        let record = try record()
        let frame = try await SignedRecord.sign(record, transactionID: 70_000, signer: key, certificate: cert,
                                                originator: gatewayTitle, recipient: headEndTitle)
        let evidence = SignedMeasurementEvidence(frame: frame, record: record, certificate: cert)
        let der = try evidence.derEncoded()
        let parsed = try SignedMeasurementEvidence(derEncoded: der)
        #expect(parsed.record == record && parsed.signedFrame == frame.encoded && parsed.signature == frame.signature)

        let result = try await verifier().verify(evidence: der)
        #expect(result.passed, "\(result.checks.filter { !$0.passed })")
        #expect(result.checks.last?.name == "evidence")

        var altered = evidence
        altered.record.counterValues[0].value = 999
        let alteredResult = try await verifier().verify(evidence: try altered.derEncoded())
        #expect(alteredResult.failure?.name == "evidence")
        #expect(alteredResult.failure?.detail == "its record, signature or certificate_info differ from the signed frame's")

        for cut in stride(from: 0, to: der.count, by: 13) {
            #expect(throws: RecordError.self) { try SignedMeasurementEvidence(derEncoded: Array(der.prefix(cut))) }
        }
    }
}
