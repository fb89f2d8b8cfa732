import ArgumentParser
import PKCS11

struct TokenDelete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete the objects a URI selects (a key pair and its certificate share a label and id)."
    )

    @OptionGroup var options: TokenOptions

    @Argument(help: "URI naming the objects, with object= or id= (type= narrows it).")
    var uri: String

    func run() async throws {
        let uri = try PKCS11URI(argument: uri)
        let token = try await options.openToken(uri)
        let deleted = try await token.delete(uri)
        for object in deleted {
            print("deleted \(object.objectClass.rawValue) object=\(object.label) id=\(object.idHex)")
        }
        await token.close()
    }
}
