import ArgumentParser
import Benchmarks
import PKCS11

struct TokenKeys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "List the objects a URI selects, with id, label, class, key type, protection flags and usage."
    )

    @OptionGroup var options: TokenOptions

    @Argument(help: "Token (and optionally object) URI; default: the only token present.")
    var uri: String = "pkcs11:"

    func run() async throws {
        let uri = try PKCS11URI(argument: uri)
        let token = try await options.openToken(uri)
        let classOrder: [ObjectInfo.Class] = [.privateKey, .publicKey, .certificate, .secretKey, .data, .other]
        let objects = try await token.objects(matching: uri).sorted {
            ($0.label, $0.idHex, classOrder.firstIndex(of: $0.objectClass) ?? 9) < ($1.label, $1.idHex, classOrder.firstIndex(of: $1.objectClass) ?? 9)
        }
        print("token \"\(token.label)\": \(objects.count) object\(objects.count == 1 ? "" : "s")")
        let rows = objects.map { object -> [String] in
            [
                object.objectClass.rawValue, object.label, object.idHex,
                object.keyAlgorithm?.name ?? object.keyType ?? "-",
                flag(object.sensitive, "sensitive", "NOT-SENSITIVE"),
                flag(object.extractable.map(!), "never-extractable", "EXTRACTABLE"),
                object.usage.isEmpty ? "-" : object.usage.joined(separator: ","),
                object.alwaysAuthenticate == true ? "always-authenticate" : "",
            ]
        }
        printTable(header: ["CLASS", "LABEL", "ID", "TYPE", "SENSITIVE", "EXTRACTABLE", "USAGE", ""], rows: rows)
        await token.close()
    }

    private func flag(_ value: Bool?, _ yes: String, _ no: String) -> String {
        value.map { $0 ? yes : no } ?? "-"
    }
}

/// Rows in aligned columns on standard output (`TextTable`).
func printTable(header: [String], rows: [[String]]) {
    print(TextTable(header: header, rows: rows))
}
