import COSEM
import PKI
import SwiftASN1
import X509

/// The seed's `signed_measurement_data_type` as a DER file a third party can check with nothing but the CA
/// certificate (and CRL): the record's fields, the signature and `certificate_info`, the exact signed frame, and the
/// signer's certificate.
///
/// ```
/// SignedMeasurementEvidence ::= SEQUENCE {
///     measurementData     MeasurementData,
///     measurementDataSig  SEQUENCE { signature OCTET STRING, certificateInfo IssuerAndSerialNumber },
///     signedFrame         OCTET STRING,     -- the general-signing APDU exactly as signed and sent
///     certificate         Certificate,      -- the signer's certificate
///     convention          ENUMERATED { a(0), b(1) } }
/// MeasurementData ::= SEQUENCE {
///     measurementTime OCTET STRING (SIZE(12)),     -- COSEM date-time
///     sequenceNr      INTEGER (0..65535),
///     meterIdent      OCTET STRING, meterNumber OCTET STRING, locationIdent OCTET STRING,   -- printable
///     counterValues   SEQUENCE OF SEQUENCE { obis OCTET STRING (SIZE(6)),
///                         value OCTET STRING (SIZE(0|8)),   -- IEEE-754 binary64, big-endian; empty: not read
///                         scaler INTEGER (-128..127), unit INTEGER (0..255) },
///     errorCode       INTEGER (0..65535),
///     state           BIT STRING }
/// ```
///
/// The record fields are a readable copy; what counts is the signed frame, and verification checks that the copy
/// says what the frame says.
public struct SignedMeasurementEvidence: Sendable {
    public var record: MeasurementRecord
    public var signature: [UInt8]
    public var certificateInfo: CertificateInfo
    public var signedFrame: [UInt8]
    public var certificate: Certificate
    public var convention: GeneralSigning.SignedBytesConvention

    public init(frame: GeneralSigning, record: MeasurementRecord, certificate: Certificate, convention: GeneralSigning.SignedBytesConvention = .a) {
        self.record = record
        self.signature = frame.signature
        self.certificateInfo = CertificateInfo(certificate)
        self.signedFrame = frame.encoded
        self.certificate = certificate
        self.convention = convention
    }

    public func derEncoded() throws -> [UInt8] {
        var coder = DER.Serializer()
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                try coder.serialize(ASN1OctetString(contentBytes: record.measurementTime.bytes[...]))
                try coder.serialize(Int(record.sequenceNumber))
                for text in [record.meterIdent, record.meterNumber, record.locationIdent] {
                    try coder.serialize(ASN1OctetString(contentBytes: Array(text.utf8)[...]))
                }
                try coder.appendConstructedNode(identifier: .sequence) { coder in
                    for counter in record.counterValues {
                        try coder.appendConstructedNode(identifier: .sequence) { coder in
                            try coder.serialize(ASN1OctetString(contentBytes: counter.obis.bytes[...]))
                            let value = counter.value.map { v in (0..<8).reversed().map { UInt8(truncatingIfNeeded: v.bitPattern >> ($0 * 8)) } } ?? []
                            try coder.serialize(ASN1OctetString(contentBytes: value[...]))
                            try coder.serialize(Int(counter.scaler))
                            try coder.serialize(Int(counter.unit))
                        }
                    }
                }
                try coder.serialize(Int(record.errorCode))
                try coder.serialize(ASN1BitString(bytes: record.state.bytes[...], paddingBits: (8 - record.state.count % 8) % 8))
            }
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                try coder.serialize(ASN1OctetString(contentBytes: signature[...]))
                try coder.serialize(certificateInfo)
            }
            try coder.serialize(ASN1OctetString(contentBytes: signedFrame[...]))
            try coder.serialize(certificate)
            coder.appendPrimitiveNode(identifier: .enumerated) { $0.append(convention == .a ? 0 : 1) }
        }
        return coder.serializedBytes
    }

    public init(derEncoded bytes: [UInt8]) throws(RecordError) {
        do {
            let root = try DER.parse(bytes)
            guard root.identifier == .sequence, case .constructed(let top) = root.content else { throw RecordError.malformed("evidence is not a SEQUENCE") }
            let parts = Array(top)
            guard parts.count == 5 else { throw RecordError.malformed("evidence has \(parts.count) parts instead of 5") }
            guard parts[0].identifier == .sequence, case .constructed(let dataNodes) = parts[0].content else {
                throw RecordError.malformed("measurementData is not a SEQUENCE")
            }
            let data = Array(dataNodes)
            guard data.count == 8 else { throw RecordError.malformed("measurementData has \(data.count) fields instead of 8") }
            let time = try COSEMDateTime(bytes: Array(try ASN1OctetString(derEncoded: data[0]).bytes))
            let sequence = try Int(derEncoded: data[1])
            let texts = try data[2...4].map { String(decoding: try ASN1OctetString(derEncoded: $0).bytes, as: UTF8.self) }
            guard data[5].identifier == .sequence, case .constructed(let counterNodes) = data[5].content else {
                throw RecordError.malformed("counterValues is not a SEQUENCE")
            }
            var counters: [CounterValue] = []
            for node in counterNodes {
                guard node.identifier == .sequence, case .constructed(let fieldNodes) = node.content else { throw RecordError.malformed("a counter value is not a SEQUENCE") }
                let fields = Array(fieldNodes)
                guard fields.count == 4 else { throw RecordError.malformed("a counter value has \(fields.count) fields instead of 4") }
                let obis = try OBISCode(bytes: Array(try ASN1OctetString(derEncoded: fields[0]).bytes))
                let valueBytes = Array(try ASN1OctetString(derEncoded: fields[1]).bytes)
                guard valueBytes.isEmpty || valueBytes.count == 8 else { throw RecordError.malformed("counter value \(obis) is not 0 or 8 bytes") }
                let value = valueBytes.isEmpty ? nil : Double(bitPattern: valueBytes.reduce(0) { $0 << 8 | UInt64($1) })
                let scaler = try Int(derEncoded: fields[2])
                let unit = try Int(derEncoded: fields[3])
                guard let scaler8 = Int8(exactly: scaler), let unit8 = UInt8(exactly: unit) else { throw RecordError.malformed("counter value \(obis) has scaler or unit out of range") }
                counters.append(CounterValue(obis: obis, value: value, scaler: scaler8, unit: unit8))
            }
            let errorCode = try Int(derEncoded: data[6])
            let bitString = try ASN1BitString(derEncoded: data[7])
            guard let sequence16 = UInt16(exactly: sequence), let error16 = UInt16(exactly: errorCode),
                  let state = BitString(count: bitString.bytes.count * 8 - bitString.paddingBits, bytes: Array(bitString.bytes)) else {
                throw RecordError.malformed("sequenceNr, errorCode or state is out of range")
            }
            record = try MeasurementRecord(measurementTime: time, sequenceNumber: sequence16, meterIdent: texts[0], meterNumber: texts[1],
                                           locationIdent: texts[2], counterValues: counters, errorCode: error16, state: state)
            guard parts[1].identifier == .sequence, case .constructed(let sigNodes) = parts[1].content else {
                throw RecordError.malformed("measurementDataSig is not a SEQUENCE")
            }
            let sig = Array(sigNodes)
            guard sig.count == 2 else { throw RecordError.malformed("measurementDataSig has \(sig.count) fields instead of 2") }
            signature = Array(try ASN1OctetString(derEncoded: sig[0]).bytes)
            certificateInfo = try CertificateInfo(derEncoded: Array(sig[1].encodedBytes))
            signedFrame = Array(try ASN1OctetString(derEncoded: parts[2]).bytes)
            certificate = try Certificate(derEncoded: parts[3])
            // swift-certificates verifies a signature BIT STRING that claims unused bits as if it had none, so a copy
            // of the certificate with its unused-bits count changed would still verify: a signature is whole octets.
            guard case .constructed(let certificateParts) = parts[3].content,
                  let signatureBits = Array(certificateParts).last,
                  try ASN1BitString(derEncoded: signatureBits).paddingBits == 0 else {
                throw RecordError.malformed("the certificate's signature has unused bits")
            }
            guard parts[4].identifier == .enumerated, case .primitive(let enumeration) = parts[4].content, enumeration.count == 1, enumeration.first! <= 1 else {
                throw RecordError.malformed("convention is not a or b")
            }
            convention = enumeration.first! == 0 ? .a : .b
        } catch let error as RecordError {
            throw error
        } catch {
            throw .malformed("not signed-measurement evidence in DER: \(error)")
        }
    }
}
