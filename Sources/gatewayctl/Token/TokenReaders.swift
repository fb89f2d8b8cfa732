import ArgumentParser
import Foundation
import PKCS11
import SmartCard

struct TokenReaders: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "readers",
        abstract: "List PC/SC readers: the card in each (ATR) and the PKCS#11 token the module shows for it.",
        discussion: """
            One line per reader: its name, "empty" or the card's ATR, and the token label and serial that the
            PKCS#11 module shows in the slot for that reader. Needs pcscd; exits 1 when it is not running.
            """
    )

    @Option(
        name: .long,
        help: ArgumentHelp(
            "PKCS#11 module that shows the cards as tokens.",
            discussion: "Default: OpenSC's \(Module.openSCPath). $GATEWAY_PKCS11_MODULE is not used here: it usually names SoftHSM, whose slots are no readers.",
            valueName: "path"
        )
    )
    var module: String?

    @Flag(name: .long, help: "Print a JSON array instead of lines.")
    var json = false

    func run() async throws {
        // PC/SC first: without pcscd there is nothing to show, and OpenSC's C_Initialize would only fail later.
        let readers = try await Readers.list()
        let tokens = await ReaderTokens.look(for: readers, modulePath: module ?? Module.openSCPath)
        if json {
            print(try ReaderListing.json(readers, tokens))
            return
        }
        if readers.isEmpty {
            print("no smart-card readers: pcscd runs but lists none; plug a reader in (for vpcd, check /etc/reader.conf.d)")
        }
        for reader in readers { print(ReaderListing.line(reader, tokens)) }
        if let problem = tokens.problem {
            FileHandle.standardError.write(Data("gatewayctl: tokens not shown: \(problem)\n".utf8))
        }
    }
}

/// The PKCS#11 slots that stand for the readers, looked up only when a card is in one of them.
struct ReaderTokens {
    var slots: [Slot] = []
    /// Why the module could not be asked, for a warning; nil when it answered or was not needed.
    var problem: String?

    static func look(for readers: [ReaderState], modulePath: String) async -> ReaderTokens {
        guard readers.contains(where: \.cardPresent) else { return ReaderTokens() }
        do {
            let module = try await Module.load(path: modulePath)
            return ReaderTokens(slots: try await module.run { try $0.slots(withTokenOnly: false) })
        } catch {
            return ReaderTokens(problem: "\(error)")
        }
    }

    func slots(for reader: String) -> [Slot] { slots.filter { $0.info.describesReader(reader) } }
}

/// How `token readers` prints.
enum ReaderListing {
    static func line(_ reader: ReaderState, _ tokens: ReaderTokens) -> String {
        let flags = reader.flags.names.isEmpty ? "" : " [\(reader.flags.names.joined(separator: ", "))]"
        guard reader.cardPresent else { return "\(reader.name): empty\(flags)" }
        let atr = reader.atr.map { "ATR \($0)" } ?? "no ATR (mute card)"
        return "\(reader.name): card, \(atr)\(flags); \(token(reader, tokens))"
    }

    private static func token(_ reader: ReaderState, _ tokens: ReaderTokens) -> String {
        if tokens.problem != nil { return "token unknown (module not loaded)" }
        let slots = tokens.slots(for: reader.name)
        let found = slots.compactMap(\.token)
        if !found.isEmpty {
            return found.map { "token \"\($0.label)\" serial \($0.serialNumber)" }.joined(separator: ", ")
        }
        return slots.isEmpty ? "no slot of the PKCS#11 module for this reader" : "no PKCS#11 token (the module does not recognise the card)"
    }

    struct Entry: Encodable {
        var reader: String
        var card: Bool
        var atr: String?
        var flags: [String]
        var tokens: [Token]?
    }

    struct Token: Encodable {
        var slot: UInt
        var label: String
        var serial: String
        var manufacturer: String
        var model: String
    }

    /// `tokens` is null for an empty reader or when the module could not be asked, [] when it shows no token.
    static func json(_ readers: [ReaderState], _ tokens: ReaderTokens) throws -> String {
        let entries = readers.map { reader in
            Entry(
                reader: reader.name, card: reader.cardPresent, atr: reader.atr?.hex, flags: reader.flags.names,
                tokens: !reader.cardPresent || tokens.problem != nil ? nil : tokens.slots(for: reader.name).compactMap { slot in
                    slot.token.map { Token(slot: UInt(slot.id), label: $0.label, serial: $0.serialNumber, manufacturer: $0.manufacturer, model: $0.model) }
                }
            )
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(entries), as: UTF8.self)
    }
}
