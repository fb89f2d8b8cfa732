import ArgumentParser
import PKCS11

struct TokenPubkey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pubkey",
        abstract: "Print a key's public half as a PEM SubjectPublicKeyInfo (what openssl and CSR tools read)."
    )

    @OptionGroup var options: TokenOptions

    @Argument(help: "URI of the key (private, public or certificate object).")
    var uri: String

    func run() async throws {
        let uri = try PKCS11URI(argument: uri)
        let token = try await options.openToken(uri)
        let key = try await token.publicKey(uri)
        print(key.pemRepresentation)
        await token.close()
    }
}
