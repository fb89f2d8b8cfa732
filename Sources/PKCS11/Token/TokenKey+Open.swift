import Foundation

extension Module {
    /// The module used when a URI names none: `--module` (the daemons' `module:` setting), else
    /// `$GATEWAY_PKCS11_MODULE`, else SoftHSM. Every executable resolves it here, so they agree.
    public static func defaultPath(override: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        override ?? environment["GATEWAY_PKCS11_MODULE"] ?? softHSMPath
    }
}

extension TokenKey {
    /// The private key a PKCS#11 URI names, opened as a `Signer` on its token (which the key keeps open): the one
    /// way `gatewayctl`, `pkid` and the daemons turn a configured URI into a signer. The module is the URI's
    /// module-path or module-name, else `Module.defaultPath(override: module)`.
    public static func open(_ uriText: String, module: String?, maxSessions: Int = 1) async throws -> TokenKey {
        let uri = try PKCS11URI(parsing: uriText)
        let path = Module.path(for: uri, fallback: Module.defaultPath(override: module))
        let token = try await Token.open(uri, module: try await Module.load(path: path), maxSessions: maxSessions)
        return try await token.key(uri)
    }
}
