import ArgumentParser
import Foundation
import PKCS11

/// The options every token command shares: which PKCS#11 module to load.
struct TokenOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "PKCS#11 module to load (a URI's module-path or module-name wins).",
            discussion: "Default: $GATEWAY_PKCS11_MODULE, else SoftHSM's \(Module.softHSMPath).",
            valueName: "path"
        )
    )
    var module: String?

    var defaultModulePath: String { Module.defaultPath(override: module) }

    func loadModule(for uri: PKCS11URI) async throws -> Module {
        try await Module.load(path: Module.path(for: uri, fallback: defaultModulePath))
    }

    /// The token the URI selects, opened with `sessions` sessions at most.
    func openToken(_ uri: PKCS11URI, sessions: Int = 1) async throws -> Token {
        try await Token.open(uri, module: await loadModule(for: uri), maxSessions: sessions)
    }
}

extension PKCS11URI {
    /// Parses a URI given on the command line; a malformed one is reported with the parser's own message.
    init(argument: String) throws {
        try self.init(parsing: argument)
    }
}
