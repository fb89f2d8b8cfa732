import Signing
import ArgumentParser
import Foundation
import PKI
import SwiftASN1
import X509

struct CAIssue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue",
        abstract: "Issue a certificate for a CSR (offline issuing, no RA), and record it in the Central Directory."
    )

    @OptionGroup var pki: PKIOption
    @OptionGroup var options: TokenOptions

    @Option(help: "The certificate request, PEM or DER.")
    var csr: String

    @Option(help: "Profile: sign (DLMS signing) or tls (TLS client and server).")
    var profile: String

    @Option(help: "Lifetime, e.g. 2y.")
    var validity: String = "2y"

    @Option(help: "DNS name for the tls profile's subjectAltName (repeatable; default: the names the CSR requests).")
    var dns: [String] = []

    @Option(help: "IP address for the tls profile's subjectAltName (repeatable).")
    var ip: [String] = []

    @Option(name: .customLong("out"), help: "Where to write the PEM certificate (default: standard output).")
    var output: String?

    func run() async throws {
        guard let profile = CertificateProfile(rawValue: profile), profile != .ca else {
            throw CLIError("unknown profile \(profile); use sign or tls")
        }
        let request = try readCSR(csr)
        let addresses = try ip.map(parseIPAddress)
        let authority = try await pki.open(options)
        let names = dns.isEmpty && addresses.isEmpty ? nil : GeneralName.names(dns: dns, ip: addresses)
        let certificate = try await authority.issue(request, profile: profile, validity: try Validity(validity), alternativeNames: names)
        try writeOutput(Array(try certificate.serializeAsPEM().pemString.utf8) + [0x0A], to: output)
        if output != nil { print("issued \(profile) certificate \(serialHex(certificate)) for \(certificate.subject)") }
    }
}

func readCSR(_ path: String) throws -> CertificateSigningRequest {
    let bytes = try readFile(path)
    do {
        if bytes.first == 0x30 { return try CertificateSigningRequest(derEncoded: bytes) }
        return try CertificateSigningRequest(pemEncoded: String(decoding: bytes, as: UTF8.self))
    } catch {
        throw CLIError("\(path) is not a PKCS#10 certificate request (PEM or DER)")
    }
}

func parseIPAddress(_ text: String) throws -> [UInt8] {
    var v4 = in_addr()
    if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
    var v6 = in6_addr()
    if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
    throw CLIError("\(text) is not an IPv4 or IPv6 address")
}

/// The certificate's serial in the canonical form `ca list`, `ca show` and pkid use.
func serialHex(_ certificate: Certificate) -> String {
    certificate.serial.description
}
