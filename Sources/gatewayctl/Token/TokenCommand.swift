import ArgumentParser

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "PKCS#11 tokens: list them and the smart-card readers, generate keys on them, sign, manage certificates.",
        discussion: """
            Tokens and objects are named by RFC 7512 PKCS#11 URIs, e.g. pkcs11:token=gateway;object=meter-sign.
            The PIN comes from GATEWAY_PIN, from ?pin-source=file:PATH (or env:VARIABLE), or from a prompt;
            never from the command line.
            """,
        subcommands: [
            TokenList.self, TokenKeygen.self, TokenKeys.self, TokenPubkey.self, TokenSign.self,
            TokenCSR.self, TokenImportCert.self, TokenDelete.self, TokenInit.self, TokenReaders.self,
        ]
    )
}
