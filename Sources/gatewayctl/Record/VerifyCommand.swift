import ArgumentParser
import COSEM
import Foundation
import Metering
import PKI
import PKIService
import SwiftASN1
import Transport
import X509

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a signed record: signature, certificate_info, originator, profile, chain and revocation.",
        discussion: "Prints the record's values and the verdict; exits 0 only when every check passes."
    )

    @Option(help: "The general-signing frame (bare APDU or with the TCP wrapper).")
    var frame: String?

    @Option(help: "An evidence file (DER) holding frame, record and certificate; replaces --frame and --cert.")
    var evidence: String?

    @Option(help: "The CA certificate(s) to trust (PEM).")
    var ca: String

    @Option(help: "The CA's CRL (DER or PEM). Without one, revocation cannot be checked and the verdict is negative.")
    var crl: [String] = []

    @Option(help: "The signer's certificate (PEM or DER); with --frame, this or --directory.")
    var cert: String?

    @Option(help: "pkid's Central Directory (http://host:port), to look the signer's certificate up by the serial the frame names.")
    var directory: String?

    @Option(help: "Signed-bytes convention the signer used: a or b.")
    var convention: Convention = .a

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        guard (frame == nil) != (evidence == nil) else { throw CLIError("give either --frame FILE (with --cert) or --evidence FILE") }
        let anchors = try pemCertificates(ca)
        let crls = try crl.map { path -> ParsedCRL in
            let data = try readFile(path)
            if let text = String(validating: data, as: UTF8.self), text.contains("-----BEGIN X509 CRL-----"),
               let document = try? PEMDocument(pemString: text) {
                return try ParsedCRL(derEncoded: Array(document.derBytes))
            }
            return try ParsedCRL(derEncoded: data)
        }
        let verifier = RecordVerifier(validator: CertificateValidator(trustAnchors: anchors, crls: crls), convention: convention.cosem)
        let result: RecordVerification
        if let evidence {
            result = await verifier.verify(evidence: try readFile(evidence))
        } else {
            guard let frame else { throw CLIError("give --frame FILE or --evidence FILE") }
            var bytes = try readFile(frame)
            if bytes.count >= 8, bytes[0] == 0x00, bytes[1] == 0x01 { bytes = try WrapperFrame(decoding: bytes).apdu }
            let certificate: Certificate
            if let cert {
                certificate = try Certificate(derEncoded: try certificateDER(try readFile(cert), path: cert))
            } else if let directory {
                // The frame names its certificate (certificate_info); the Central Directory has it by serial.
                guard let general = try? GeneralSigning(decoding: bytes), let info = try? CertificateInfo(derEncoded: general.otherInformation) else {
                    throw CLIError("\(frame) is not a general-signing frame with certificate_info; give --cert FILE")
                }
                certificate = try await DirectoryClient(url: directory, trustRoots: anchors).certificate(serial: info.serial)
            } else {
                throw CLIError("--frame needs the signer's certificate: --cert FILE or --directory http://host:port")
            }
            result = await verifier.verify(frame: bytes, certificate: certificate)
        }
        json ? try printJSON(result) : printText(result)
        if !result.passed { throw ExitCode(1) }
    }

    private func printText(_ result: RecordVerification) {
        if let record = result.record {
            print("record: transaction \(result.transactionID.map(String.init) ?? "?"), sequence \(record.sequenceNumber), from \(result.originator ?? "?"), meter \(record.meterIdent) \(record.meterNumber)")
            print("measured at \(record.measurementTime.unixTime.map { ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double($0.seconds) + Double($0.hundredths) / 100)) } ?? "unspecified"), error code 0x\(String(record.errorCode, radix: 16, uppercase: true)), state \(record.state)")
            printTable(header: ["OBIS", "VALUE", "UNIT"], rows: record.counterValues.map {
                [$0.obis.description, $0.value.map(formatValue) ?? "not read", CounterValue.unitSymbol($0.unit)]
            })
        }
        for check in result.checks { print("\(check.passed ? "ok  " : "FAIL") \(check.name): \(check.detail)") }
        print(result.passed ? "verdict: VALID" : "verdict: INVALID (\(result.failure?.name ?? "?"): \(result.failure?.detail ?? ""))")
    }

    private func printJSON(_ result: RecordVerification) throws {
        var object: [String: Any] = [
            "verdict": result.passed ? "valid" : "invalid",
            "checks": result.checks.map { ["name": $0.name, "passed": $0.passed, "detail": $0.detail] },
        ]
        if let id = result.transactionID { object["transaction_id"] = id }
        if let record = result.record {
            object["record"] = [
                "sequence_nr": Int(record.sequenceNumber), "meter_ident": record.meterIdent, "meter_number": record.meterNumber,
                "location_ident": record.locationIdent, "error_code": Int(record.errorCode), "state": record.state.description,
                "counter_values": record.counterValues.map { value -> [String: Any] in
                    ["obis": value.obis.description, "value": value.value.map { $0.isFinite ? $0 as Any : NSNull() } ?? NSNull(),
                     "scaler": Int(value.scaler), "unit": CounterValue.unitSymbol(value.unit)]
                },
            ]
        }
        FileHandle.standardOutput.write(try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]))
        print()
    }
}

func pemCertificates(_ path: String) throws -> [Certificate] {
    let text = String(decoding: try readFile(path), as: UTF8.self)
    guard let certificates = try? PEMDocument.parseMultiple(pemString: text).map({ try Certificate(pemDocument: $0) }), !certificates.isEmpty else {
        throw CLIError("\(path) holds no PEM certificate")
    }
    return certificates
}
