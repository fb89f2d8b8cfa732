import ArgumentParser
import Foundation
import PKCS11
import PKI
import X509

struct TokenCSR: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "csr",
        abstract: "Write a PKCS#10 certificate request signed on the token (proof of possession of the key)."
    )

    @OptionGroup var options: TokenOptions

    @Argument(help: "URI of the private key.")
    var uri: String

    @Option(help: "Subject, e.g. \"CN=00DB1234567890A0\" (a device's CN is its 16-hex-digit system title).")
    var subject: String

    @Option(name: .customLong("out"), help: "Where to write the PEM request (default: standard output).")
    var output: String?

    func run() async throws {
        let uri = try PKCS11URI(argument: uri)
        let subject = try SubjectName.parse(subject)
        let token = try await options.openToken(uri)
        let key = try await token.key(uri)
        let csr = try await CertificateRequests.make(signer: key, subject: subject)
        try writeOutput(Array(try csr.serializeAsPEM().pemString.utf8) + [0x0A], to: output)
        await token.close()
    }
}

/// The private key a PKCS#11 URI names, opened as a `Signer`, with the token kept open by the key.
func openSigner(_ uriText: String, options: TokenOptions) async throws -> TokenKey {
    try await TokenKey.open(uriText, module: options.module)
}
