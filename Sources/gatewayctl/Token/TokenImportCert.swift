import ArgumentParser
import Foundation
import PKCS11

struct TokenImportCert: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-cert",
        abstract: "Store an X.509 certificate on the token under its key's CKA_ID."
    )

    @OptionGroup var options: TokenOptions

    @Argument(help: "URI of the key the certificate was issued for.")
    var uri: String

    @Option(help: "Certificate file, PEM or DER.")
    var cert: String

    func run() async throws {
        let uri = try PKCS11URI(argument: uri)
        let der = try certificateDER(try readFile(cert), path: cert)
        let token = try await options.openToken(uri)
        let stored = try await token.importCertificate(der, for: uri)
        print("stored certificate on token \"\(token.label)\" as \(stored.uri(on: token.uri))")
        await token.close()
    }
}

/// DER from a PEM or DER certificate file.
func certificateDER(_ bytes: [UInt8], path: String) throws -> [UInt8] {
    if bytes.first == 0x30 { return bytes }
    let text = String(decoding: bytes, as: UTF8.self)
    guard let begin = text.range(of: "-----BEGIN CERTIFICATE-----"),
          let end = text.range(of: "-----END CERTIFICATE-----", range: begin.upperBound..<text.endIndex),
          let der = Data(base64Encoded: text[begin.upperBound..<end.lowerBound].filter { !$0.isWhitespace })
    else {
        throw CLIError("\(path) is neither a DER nor a PEM certificate")
    }
    return Array(der)
}
