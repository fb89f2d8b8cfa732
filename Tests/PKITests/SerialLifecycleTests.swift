import Foundation
import PKI
import PKIStore
import Signing
import SwiftASN1
import TestSupport
import Testing
import X509

/// Serials that random issuance rarely draws, issued with a chosen serial and followed through everything that
/// names a certificate by serial: the Central Directory, revocation, the CRL (read back by this project and by
/// openssl) and OCSP (asked and read back by openssl).
@Suite("Serials through the PKI: issued, looked up, revoked, in the CRL, answered by OCSP")
struct SerialLifecycleTests {
    /// Magnitudes and their canonical text. The high-bit ones are DER INTEGERs with a leading 00, the one whose
    /// hex starts with 0 loses a digit to any formatter that drops leading zeros.
    static let serials: [([UInt8], String)] = [
        ([0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0x34], "8000000000001234"),
        ([0xFF], "FF"),
        ([0x0A, 0x0B, 0x0C, 0x0D], "0A0B0C0D"),
        ([0x01], "01"),
        ([0xC3] + [UInt8](repeating: 0x5A, count: 19), "C3" + String(repeating: "5A", count: 19)),
    ]

    let directory: URL
    let authority: CertificateAuthority
    let caPath: String

    init() async throws {
        directory = try temporaryDirectory("serials")
        authority = try await CertificateAuthority.create(
            directory: PKIDirectory(path: directory.appendingPathComponent("pki").path), keyURI: "software",
            signer: try SoftwareSigner(generating: .ecdsa(.p256)), subject: try SubjectName.parse("CN=Serial Root"),
            validity: try Validity("5y"), url: nil
        )
        caPath = directory.appendingPathComponent("ca.pem").path
        try authority.certificate.serializeAsPEM().pemString.write(toFile: caPath, atomically: true, encoding: .utf8)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func issue(_ serial: [UInt8], title: String = "00DB1234567890A0") async throws -> (Certificate, String) {
        let csr = try await CertificateRequests.make(signer: try SoftwareSigner(generating: .ecdsa(.p256)), subject: try SubjectName.parse("CN=\(title)"))
        let certificate = try await authority.issue(csr, profile: .sign, validity: try Validity("1y"), serial: Certificate.SerialNumber(bytes: serial))
        let pem = path("leaf-\(serial.hexString).pem")
        try certificate.serializeAsPEM().pemString.write(toFile: pem, atomically: true, encoding: .utf8)
        return (certificate, pem)
    }

    /// The serialNumber INTEGER as the issued certificate's TBSCertificate carries it.
    static func serialINTEGER(of certificate: Certificate) throws -> [UInt8] {
        guard case .constructed(let top) = try DER.parse(try derBytes(certificate)).content,
              let tbs = top.first(where: { _ in true }), case .constructed(let fields) = tbs.content else {
            throw TestSetupError("not a certificate")
        }
        return Array(Array(fields)[1].encodedBytes)  // after version [0]
    }

    /// What `openssl ocsp` says of `pem` when this CA's responder answers its request.
    func ocspStatus(_ pem: String, name: String) async throws -> String {
        let request = path("\(name)-req.der"), response = path("\(name)-resp.der")
        let made = try await run("openssl", ["ocsp", "-issuer", caPath, "-cert", pem, "-no_nonce", "-reqout", request])
        try #require(made.status == 0, "\(made.stderr)")
        let answer = await OCSPResponder(authority: authority).respond(to: Array(try Data(contentsOf: URL(fileURLWithPath: request))))
        try Data(answer).write(to: URL(fileURLWithPath: response))
        let read = try await run("openssl", ["ocsp", "-respin", response, "-issuer", caPath, "-CAfile", caPath, "-cert", pem, "-no_nonce"])
        #expect(read.stderr.contains("Response verify OK"), "\(read.stderr)")
        return read.output.split(separator: "\n").first.map(String.init) ?? ""
    }

    @Test("issued with the chosen serial, which openssl prints as the canonical text; DER pads a high bit with 00", arguments: serials)
    func issued(serial: [UInt8], text: String) async throws {
        let (certificate, pem) = try await issue(serial)
        #expect(certificate.serial.description == text)
        let expectedINTEGER: [UInt8] = serial[0] & 0x80 != 0 ? [0x02, UInt8(serial.count + 1), 0x00] + serial : [0x02, UInt8(serial.count)] + serial
        #expect(try Self.serialINTEGER(of: certificate) == expectedINTEGER)
        let printed = try await run("openssl", ["x509", "-in", pem, "-noout", "-serial"])
        #expect(printed.output == "serial=\(text)\n")
    }

    @Test("the directory finds it by any form of its serial, and lists it in the canonical one", arguments: serials)
    func lookedUp(serial: [UInt8], text: String) async throws {
        let (certificate, _) = try await issue(serial)
        let colons = ([0x00] + serial).map { String(format: "%02x", $0) }.joined(separator: ":")
        for form in [text, "00" + text, text.lowercased(), "0x00" + text, colons] {
            let issued = try await authority.database.certificate(serial: try CertificateSerial(parsing: form))
            #expect(issued?.der == Data(try derBytes(certificate)), "looked up as \(form)")
            #expect(issued?.serial.description == text)
        }
        #expect(try await authority.database.certificates().map(\.serial.description).contains(text))
        // Not a prefix or suffix match: a serial one byte longer or shorter is another serial.
        #expect(try await authority.database.certificate(serial: CertificateSerial(magnitude: serial + [0x00])) == nil)
        #expect(try await authority.database.certificate(serial: CertificateSerial(magnitude: serial.dropLast())) == nil)
    }

    @Test("revoked by a 00-prefixed lower-case serial: in the CRL for this code and openssl, and revoked to OCSP", arguments: serials)
    func revoked(serial: [UInt8], text: String) async throws {
        let (certificate, pem) = try await issue(serial)
        // Its neighbour: same length, last bit flipped.
        let (bystander, bystanderPEM) = try await issue(serial.dropLast() + [serial.last! ^ 0x01], title: "00DB1234567890B0")
        #expect(try await ocspStatus(pem, name: "before") == "\(pem): good")

        try await authority.revoke(serial: try CertificateSerial(parsing: "00" + text.lowercased()), reason: .keyCompromise)

        let der = Array(try Data(contentsOf: URL(fileURLWithPath: authority.directory.crlPath)))
        let crl = try ParsedCRL(derEncoded: der)
        #expect(crl.revocation(of: certificate)?.reason == .keyCompromise)
        #expect(crl.revocation(of: bystander) == nil)
        #expect(crl.revoked.keys.map(\.description) == [text])
        try Data(der).write(to: URL(fileURLWithPath: path("crl.der")))
        let openssl = try await run("openssl", ["crl", "-inform", "DER", "-in", path("crl.der"), "-noout", "-text"])
        #expect(openssl.output.contains("Serial Number: \(text)\n"), "\(openssl.output)")

        #expect(try await ocspStatus(pem, name: "after") == "\(pem): revoked")
        #expect(try await ocspStatus(bystanderPEM, name: "bystander") == "\(bystanderPEM): good")
    }

    @Test("revoking twice or an unknown serial is refused, naming the serial in its canonical text")
    func refusals() async throws {
        let (certificate, _) = try await issue([0x80, 0x01])
        try await authority.revoke(serial: certificate.serial, reason: .superseded)
        let again = try CertificateSerial(parsing: "00:80:01")
        await #expect(throws: PKIError.alreadyRevoked(certificate.serial)) {
            try await authority.revoke(serial: again, reason: .superseded)
        }
        #expect(PKIError.alreadyRevoked(again).description == "certificate 8001 is already revoked")
        let unknown = CertificateSerial(magnitude: [0x80, 0x02])
        await #expect(throws: PKIError.unknownSerial(unknown)) {
            try await authority.revoke(serial: "0x008002", reason: .superseded)
        }
        #expect(PKIError.unknownSerial(unknown).description == "no certificate with serial 8002 in this PKI; list them with `gatewayctl ca list`")
    }

    @Test("OCSP: an unknown high-bit serial is unknown, a known one good, in one response")
    func ocspUnknown() async throws {
        let (_, pem) = try await issue([0x80, 0x01])
        let request = path("mixed-req.der"), response = path("mixed-resp.der")
        let arguments = ["-issuer", caPath, "-cert", pem, "-serial", "0x8002", "-no_nonce"]
        #expect(try await run("openssl", ["ocsp"] + arguments + ["-reqout", request]).status == 0)
        let answer = await OCSPResponder(authority: authority).respond(to: Array(try Data(contentsOf: URL(fileURLWithPath: request))))
        try Data(answer).write(to: URL(fileURLWithPath: response))
        let read = try await run("openssl", ["ocsp", "-respin", response, "-CAfile", caPath] + arguments)
        let statuses = read.output.split(separator: "\n").filter { $0.contains(": good") || $0.contains(": unknown") || $0.contains(": revoked") }
        #expect(statuses == ["\(pem): good", "0x8002: unknown"])
    }
}
