import ArgumentParser
import Foundation
import PKI
import PKIStore
import X509

struct CAList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the certificates the CA issued.")

    @OptionGroup var pki: PKIOption

    func run() async throws {
        let store = try pki.directory.openDatabase()
        let formatter = ISO8601DateFormatter()
        let certificates = try await store.certificates()
        let current = IssuedCertificate.current(among: certificates)
        printTable(
            header: ["SERIAL", "PROFILE", "SUBJECT", "NOT AFTER", "STATUS"],
            rows: certificates.map { certificate in
                [certificate.serial.description, certificate.profile, certificate.subject, formatter.string(from: certificate.notAfter),
                 status(of: certificate, current: current.contains(certificate.serial), formatter: formatter)]
            }
        )
    }

    /// A device's certificate in use is `current`; one its device replaced says by which.
    func status(of certificate: IssuedCertificate, current: Bool, formatter: ISO8601DateFormatter) -> String {
        if let successor = certificate.supersededBy { return "superseded by \(successor)" }
        if let revoked = certificate.revokedAt { return "revoked " + formatter.string(from: revoked) }
        if certificate.notAfter < Date() { return "expired" }
        return current ? "current" : "valid"
    }
}

struct CAShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Print one issued certificate (PEM) by serial.")

    @OptionGroup var pki: PKIOption

    @Option(help: "Serial number in hex, as `ca list` or openssl prints it (colons, 0x and a leading 00 are fine).")
    var serial: String

    func run() async throws {
        let store = try pki.directory.openDatabase()
        let serial = try CertificateSerial(parsing: serial)
        guard let issued = try await store.certificate(serial: serial) else { throw PKIError.unknownSerial(serial) }
        let certificate = try Certificate(derEncoded: Array(issued.der))
        print("serial \(issued.serial), profile \(issued.profile), subject \(issued.subject)")
        if let revoked = issued.revokedAt {
            let successor = issued.supersededBy.map { ", superseded by \($0)" } ?? ""
            print("REVOKED \(ISO8601DateFormatter().string(from: revoked)), reason \(CRLReason(rawValue: issued.revocationReason ?? 0) ?? .unspecified)\(successor)")
        } else if let title = issued.systemTitle,
                  IssuedCertificate.current(among: try await store.certificates(systemTitle: title)).contains(issued.serial) {
            print("current certificate of \(title) (\(issued.profile))")
        }
        print(try certificate.serializeAsPEM().pemString)
    }
}

struct CARevoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a certificate and publish a new CRL.")

    @OptionGroup var pki: PKIOption
    @OptionGroup var options: TokenOptions

    @Option(help: "Serial number in hex, as `ca list` or openssl prints it (colons, 0x and a leading 00 are fine).")
    var serial: String

    @Option(help: "Reason: \(CRLReason.allCases.map(\.description).joined(separator: ", ")).")
    var reason: String = "unspecified"

    func run() async throws {
        guard let reason = CRLReason(name: reason) else {
            throw CLIError("unknown reason \(reason); use one of \(CRLReason.allCases.map(\.description).joined(separator: ", "))")
        }
        let serial = try CertificateSerial(parsing: serial)
        let authority = try await pki.open(options)
        try await authority.revoke(serial: serial, reason: reason)
        print("revoked \(serial) (\(reason)); new CRL in \(pki.path)/crl.der")
    }
}

struct CACRL: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "crl", abstract: "Sign and publish a fresh CRL.")

    @OptionGroup var pki: PKIOption
    @OptionGroup var options: TokenOptions

    @Option(name: .customLong("out"), help: "Also write the DER CRL here.")
    var output: String?

    func run() async throws {
        let authority = try await pki.open(options)
        let crl = try await authority.publishCRL()
        if let output { try writeOutput(crl, to: output) }
        print("CRL of \(crl.count) bytes written to \(pki.path)/crl.der\(output.map { " and \($0)" } ?? "")")
    }
}
