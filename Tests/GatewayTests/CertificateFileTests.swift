import DaemonRuntime
import Foundation
import PKI
import PKIStore
import Signing
import SwiftASN1
import Testing
import TestSupport
import X509

/// The certificate files a setting names, as gatewayd, headend and gatewayctl read them (`CertificateFile`): an
/// error names the setting and the file in one line without quoting the file, and a trust anchor must be a CA.
@Suite("certificate files named by a setting")
struct CertificateFileTests {
    let scratch: ScratchDirectory
    let authority: CertificateAuthority
    let leaf: Certificate

    init() async throws {
        scratch = try ScratchDirectory("certificate-files")
        authority = try await CertificateAuthority.create(
            directory: PKIDirectory(path: scratch.path("pki")), keyURI: "software",
            signer: try SoftwareSigner(generating: .ecdsa(.p256)), subject: try SubjectName.parse("CN=Certificate File Root"),
            validity: try Validity("5y"), url: nil
        )
        let key = try SoftwareSigner(generating: .ecdsa(.p256))
        let csr = try await CertificateRequests.make(signer: key, subject: try SubjectName.parse("CN=00DB1234567890A0"))
        leaf = try await authority.issue(csr, profile: .tls, validity: try Validity("1y"))
    }

    private func write(_ name: String, _ text: String) throws -> String {
        let path = scratch.path(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func pem(_ certificate: Certificate) throws -> String {
        try certificate.serializeAsPEM().pemString + "\n"
    }

    @Test("the CA's certificate is a trust anchor, in PEM and in DER")
    func caAccepted() throws {
        let file = try write("ca.pem", try pem(authority.certificate))
        #expect(try CertificateFile.trustAnchors(at: file, setting: "trust_anchors") == [authority.certificate])
        var serializer = DER.Serializer()
        try serializer.serialize(authority.certificate)
        let der = scratch.path("ca.der")
        try Data(serializer.serializedBytes).write(to: URL(fileURLWithPath: der))
        #expect(try CertificateFile.trustAnchors(at: der, setting: "trust_anchors") == [authority.certificate])
    }

    @Test("a leaf certificate given as trust anchors is refused, alone or beside the CA, naming the setting, the file and the subject")
    func leafRefused() throws {
        for (name, text) in [("leaf.pem", try pem(leaf)), ("both.pem", try pem(authority.certificate) + pem(leaf))] {
            let file = try write(name, text)
            let error = try #require(throws: CertificateFileError.self) {
                try CertificateFile.trustAnchors(at: file, setting: "certificates.trust_anchors")
            }
            #expect(error == .notACertificateAuthority(setting: "certificates.trust_anchors", path: file, subject: "CN=00DB1234567890A0"))
            #expect("\(error)".hasPrefix("certificates.trust_anchors \(file) holds CN=00DB1234567890A0, which is not a CA"), "\(error)")
        }
    }

    @Test("a truncated PEM is one short line naming the setting and the file, quoting none of it", arguments: [0.5, 0.9])
    func truncated(share: Double) throws {
        let whole = try pem(authority.certificate)
        let cut = String(whole.prefix(Int(Double(whole.count) * share)))
        let file = try write("cut.pem", cut)
        let error = try #require(throws: CertificateFileError.self) { try CertificateFile.trustAnchors(at: file, setting: "trust_anchors") }
        let line = "\(error)"
        #expect(line == "trust_anchors \(file) holds no usable certificate: a PEM block is cut off: 1 BEGIN line, 0 END; give the PEM or DER file as issued")
        // Not a line of the certificate's base64, nor a source file of the parser.
        let body = whole.split(separator: "\n").dropFirst().dropLast()
        #expect(!body.contains { line.contains($0.prefix(16)) }, "\(line)")
        #expect(!line.contains(".swift"))
    }

    @Test("a damaged PEM body and text that is no certificate each name the setting and the file in one line")
    func damaged() throws {
        var lines = try pem(authority.certificate).split(separator: "\n").map(String.init)
        lines[2] = String(repeating: "!", count: lines[2].count)
        let damaged = try write("damaged.pem", lines.joined(separator: "\n") + "\n")
        let error = try #require(throws: CertificateFileError.self) { try CertificateFile.trustAnchors(at: damaged, setting: "--ca") }
        #expect("\(error)".hasPrefix("--ca \(damaged) holds no usable certificate: a PEM CERTIFICATE block is damaged"), "\(error)")
        #expect(!"\(error)".contains("!!!!") && !"\(error)".contains("\n"))

        let text = try write("notes.txt", "the CA is on the other USB stick\n")
        let other = try #require(throws: CertificateFileError.self) { try CertificateFile.certificate(at: text, setting: "certificates.tls") }
        #expect("\(other)" == "certificates.tls \(text) holds no usable certificate: neither PEM nor DER: no -----BEGIN CERTIFICATE----- line; give the PEM or DER file as issued")
    }

    @Test("a missing file names the setting and the path")
    func missing() throws {
        let path = scratch.path("nowhere/ca.pem")
        let error = try #require(throws: CertificateFileError.self) { try CertificateFile.trustAnchors(at: path, setting: "trust_anchors") }
        #expect("\(error)" == "trust_anchors \(path) cannot be read (no such file); check the path and its permissions")
    }

    @Test("a certificate setting takes exactly one certificate")
    func exactlyOne() throws {
        let file = try write("two.pem", try pem(authority.certificate) + pem(leaf))
        #expect(try CertificateFile.certificate(at: try write("one.pem", try pem(leaf)), setting: "certificates.tls") == leaf)
        #expect(throws: CertificateFileError.notOne(setting: "certificates.tls", path: file, count: 2)) {
            try CertificateFile.certificate(at: file, setting: "certificates.tls")
        }
    }
}
