#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a token's user PIN comes from. Never argv and never a config file: an environment variable,
/// a file only its owner can read, or a prompt with echo off.
public enum PINSource: Sendable, Hashable, CustomStringConvertible {
    /// `GATEWAY_PIN` by default; `?pin-source=env:NAME` names another (a project extension to RFC 7512,
    /// for processes that open several tokens).
    case environment(String)
    /// `?pin-source=file:/path` (RFC 7512) or a bare path.
    case file(String)
    /// Asked on the controlling terminal, echo off.
    case prompt

    public static let defaultVariable = "GATEWAY_PIN"

    public var description: String {
        switch self {
        case .environment(let name): "environment variable \(name)"
        case .file(let path): "PIN file \(path)"
        case .prompt: "terminal prompt"
        }
    }

    /// The source a URI asks for, else `GATEWAY_PIN` when set, else a prompt when there is a terminal;
    /// nil when there is no way to get a PIN. A pin-value in the URI is refused: it would sit in argv.
    public static func resolve(for uri: PKCS11URI, environment: [String: String]) throws(PKCS11Error) -> PINSource? {
        if uri.pinValue != nil { throw .pinValueRefused }
        if let source = uri.pinSource {
            if source.hasPrefix("env:") { return .environment(String(source.dropFirst(4))) }
            if source.hasPrefix("file:") {
                // file:/abs, file:///abs and file:relative all name a path.
                var path = String(source.dropFirst(5))
                if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
                return .file(path)
            }
            if source.contains(":") {
                throw .pinSourceUnusable("pin-source \"\(source)\" is not understood; use file:/path/to/pin or env:VARIABLE")
            }
            return .file(source)
        }
        if environment[defaultVariable] != nil { return .environment(defaultVariable) }
        if isatty(STDIN_FILENO) == 1 { return .prompt }
        return nil
    }

    /// Reads the PIN. The bytes are the caller's to wipe.
    public func read(token: String, environment: [String: String]) throws(PKCS11Error) -> [UInt8] {
        switch self {
        case .environment(let name):
            guard let value = environment[name], !value.isEmpty else {
                throw .pinSourceUnusable("environment variable \(name) is not set or empty; export the PIN of token \"\(token)\" in it")
            }
            return Array(value.utf8)
        case .file(let path):
            return try Self.readFile(path)
        case .prompt:
            return try Self.prompt("PIN for token \"\(token)\": ")
        }
    }

    /// Reads the PIN from a file only the user can read. The checks are made on the opened file (fstat), so the
    /// file cannot be swapped between the check and the read.
    private static func readFile(_ path: String) throws(PKCS11Error) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else {
            throw .pinSourceUnusable("cannot open PIN file \(path): \(String(cString: strerror(errno))); check the pin-source path (a symbolic link is refused)")
        }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            throw .pinSourceUnusable("cannot read PIN file \(path): \(String(cString: strerror(errno))); check the pin-source path")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw .pinSourceUnusable("PIN file \(path) is not a regular file; point pin-source at a file holding only the PIN")
        }
        guard status.st_uid == geteuid() else {
            throw .pinSourceUnusable("PIN file \(path) belongs to another user (uid \(status.st_uid)); chown it to the user the gateway runs as")
        }
        guard status.st_mode & 0o077 == 0 else {
            throw .pinSourceUnusable("PIN file \(path) is readable or writable by its group or other users (mode \(String(status.st_mode & 0o777, radix: 8))); run chmod 600 \(path)")
        }
        var bytes: [UInt8] = []
        var c: UInt8 = 0
        while bytes.count < 256, Glibc.read(fd, &c, 1) == 1, c != 0x0A, c != 0x0D { bytes.append(c) }
        guard !bytes.isEmpty else { throw .pinSourceUnusable("PIN file \(path) is empty; write the PIN on its first line") }
        return bytes
    }

    private static func prompt(_ text: String) throws(PKCS11Error) -> [UInt8] {
        let fd = open("/dev/tty", O_RDWR)
        guard fd >= 0 else { throw .pinSourceUnusable("no terminal to ask for the PIN; set GATEWAY_PIN or use ?pin-source=file:PATH") }
        defer { close(fd) }
        _ = text.withCString { write(fd, $0, strlen($0)) }
        var saved = termios()
        let haveTerminal = tcgetattr(fd, &saved) == 0
        if haveTerminal {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(fd, TCSAFLUSH, &quiet)
        }
        defer {
            if haveTerminal { tcsetattr(fd, TCSAFLUSH, &saved) }
            _ = write(fd, "\n", 1)
        }
        var bytes: [UInt8] = []
        var c: UInt8 = 0
        while bytes.count < 256, Glibc.read(fd, &c, 1) == 1, c != 0x0A, c != 0x0D { bytes.append(c) }
        guard !bytes.isEmpty else { throw .pinSourceUnusable("no PIN was typed") }
        return bytes
    }
}
