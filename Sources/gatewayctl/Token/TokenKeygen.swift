import ArgumentParser
import PKCS11
import Signing

struct TokenKeygen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Generate a key pair on the token; the private key is sensitive and never extractable."
    )

    @OptionGroup var options: TokenOptions

    @Argument(help: "Token and label of the new key, e.g. pkcs11:token=gateway;object=meter-sign (id= optional).")
    var uri: String

    @Option(help: "Key type: \(KeyAlgorithm.supported.map(\.name).joined(separator: ", ")).")
    var type: String = "ec-p256"

    func run() async throws {
        guard let algorithm = KeyAlgorithm(name: type) else {
            throw CLIError("unknown key type \"\(type)\"; use one of \(KeyAlgorithm.supported.map(\.name).joined(separator: ", "))")
        }
        let uri = try PKCS11URI(argument: uri)
        let token = try await options.openToken(uri)
        let key = try await token.generateKeyPair(uri, algorithm: algorithm)
        print("generated \(key.algorithm) key on token \"\(token.label)\"")
        print("uri: \(key.uri)")
        await token.close()
    }
}
