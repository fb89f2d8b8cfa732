import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The card's state in its directory, as one JSON file (`card.json`, mode 0600).
///
/// Every save writes a temporary file, fsyncs it, renames it over the old one and fsyncs the directory, so a
/// SIGKILL at any instant leaves either the old state or the new one, never half of each. That matters for the
/// PIN counter: a wrong PIN is counted on disk before the card answers 63Cx, so pulling the plug cannot be used
/// to get more tries.
public struct CardStateStore: Sendable {
    public static let fileName = "card.json"
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    public var fileURL: URL { directory.appendingPathComponent(Self.fileName) }

    /// The stored state, or nil when the directory holds none yet.
    public func load() throws(CardStateError) -> CardState? {
        let path = fileURL.path
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let data: Data
        do {
            data = try Data(contentsOf: fileURL)
        } catch {
            throw .cannotRead(path: path, reason: "no permission or not a file")
        }
        do {
            return try JSONDecoder().decode(CardState.self, from: data)
        } catch {
            throw .corrupt(path: path, reason: "not the card's JSON")
        }
    }

    /// The stored state, or a new one (saved at once) made by `create`.
    public func loadOrCreate(_ create: () throws(CardStateError) -> CardState) throws(CardStateError) -> CardState {
        if let state = try load() { return state }
        let state = try create()
        try save(state)
        return state
    }

    public func save(_ state: CardState) throws(CardStateError) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .cannotCreateDirectory(path: directory.path, reason: "\(error.localizedDescription)")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(state) else { throw .cannotWrite(path: fileURL.path, reason: "encoding failed") }
        let temporary = directory.appendingPathComponent(".\(Self.fileName).\(getpid()).tmp").path
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .cannotWrite(path: temporary, reason: Self.errnoText()) }
        // O_CREAT's mode does not apply to a file left by an earlier crash, so set it explicitly.
        fchmod(fd, 0o600)
        let written = data.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let count = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if count < 0 { if errno == EINTR { continue }; return false }
                offset += count
            }
            return true
        }
        guard written, fsync(fd) == 0 else {
            let reason = Self.errnoText()
            close(fd)
            unlink(temporary)
            throw .cannotWrite(path: temporary, reason: reason)
        }
        close(fd)
        guard rename(temporary, fileURL.path) == 0 else {
            let reason = Self.errnoText()
            unlink(temporary)
            throw .cannotWrite(path: fileURL.path, reason: reason)
        }
        // The rename is durable only once the directory entry is.
        let directoryFD = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
