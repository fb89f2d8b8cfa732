import ArgumentParser
import Foundation
import PKCS11

struct TokenInit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Initialise a free token slot (SoftHSM and tokens that allow C_InitToken).",
        discussion: "The SO PIN comes from GATEWAY_SO_PIN and the user PIN from GATEWAY_PIN."
    )

    @OptionGroup var options: TokenOptions

    @Option(help: "Label of the new token (at most 32 bytes).")
    var label: String

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let soPIN = environment["GATEWAY_SO_PIN"], !soPIN.isEmpty else {
            throw CLIError("token init needs the SO PIN in GATEWAY_SO_PIN")
        }
        guard let userPIN = environment["GATEWAY_PIN"], !userPIN.isEmpty else {
            throw CLIError("token init needs the new user PIN in GATEWAY_PIN")
        }
        let label = self.label
        let module = try await options.loadModule(for: PKCS11URI())
        let slots = try await module.run { try $0.slots(withTokenOnly: true) }
        if slots.contains(where: { $0.token?.label == label && $0.token?.flags.contains(.tokenInitialized) == true }) {
            throw CLIError("a token labelled \"\(label)\" already exists; choose another label")
        }
        guard let free = slots.first(where: { $0.token.map { !$0.flags.contains(.tokenInitialized) } ?? false }) else {
            throw CLIError("no free (uninitialised) token slot in \(module.path); SoftHSM always has one, other tokens are initialised with their own tools")
        }
        try await module.run { try $0.initializeToken(slot: free, label: label, soPIN: Array(soPIN.utf8), userPIN: Array(userPIN.utf8)) }
        print("initialised token \"\(label)\" in slot \(free.id)")
        var uri = PKCS11URI()
        uri.token = label
        print("uri: \(uri)")
    }
}
