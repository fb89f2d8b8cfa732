import ArgumentParser
import PKCS11

struct TokenList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List slots and the tokens in them, with their flags.")

    @OptionGroup var options: TokenOptions

    func run() async throws {
        let module = try await options.loadModule(for: PKCS11URI())
        let (info, slots) = try await module.run { module in (try module.info(), try module.slots(withTokenOnly: false)) }
        print("module \(module.path): \(info.manufacturer) \(info.libraryDescription) \(info.libraryVersion) (Cryptoki \(info.cryptokiVersion))")
        if slots.isEmpty { print("no slots") }
        for slot in slots {
            print("slot \(slot.id): \(slot.info.description)\(slot.info.removableDevice ? " (removable)" : "")")
            guard let token = slot.token else {
                print("  no token")
                continue
            }
            guard token.flags.contains(.tokenInitialized) else {
                print("  uninitialised token (free; `gatewayctl token init --label NAME` sets it up)")
                continue
            }
            var uri = PKCS11URI()
            uri.token = token.label
            print("  token \"\(token.label)\"  manufacturer \(token.manufacturer)  model \(token.model)  serial \(token.serialNumber)")
            print("  flags: \(token.flags.names.joined(separator: ", "))")
            print("  sessions: \(token.maxSessions.map(String.init) ?? "no limit"), PIN length \(token.minPINLength)-\(token.maxPINLength)")
            print("  uri: \(uri)")
        }
    }
}
