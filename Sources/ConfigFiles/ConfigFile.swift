import Foundation
import Yams

/// Configuration files as the executables read them: YAML decoded into a `Decodable` type, with an error that
/// names the key that is wrong, so a user can fix the file without reading code. The libraries never see YAML:
/// they take the decoded values.
///
/// Strictly: a key the type does not know is an error naming it and the known key nearest to it, never a setting
/// silently left at its default (`KnownKeys`). Every daemon's file and the register maps are read here.
public enum ConfigFile {
    public static func decode<T: Decodable>(_ type: T.Type, yaml: String) throws(ConfigFileError) -> T {
        let known = KnownKeys()
        let value: T
        do {
            value = try YAMLDecoder().decode(Strict<T>.self, from: yaml, userInfo: [Strict<T>.knownKeys: known]).value
        } catch let error as DecodingError {
            throw ConfigFileError(path: nil, reason: describe(error))
        } catch {
            throw ConfigFileError(path: nil, reason: "\(error)")
        }
        if let node = try? Yams.compose(yaml: yaml), let unknown = known.firstUnknown(in: node) {
            throw ConfigFileError(path: nil, reason: unknown.description, unknownKey: unknown)
        }
        return value
    }

    /// `T` decoded through a `KeyRecordingDecoder`, so that the keys it asks for are noted in the `KnownKeys` that
    /// travels in `userInfo` (Yams's decoder is made for the whole file; this is the way in at its root).
    private struct Strict<T: Decodable>: Decodable {
        static var knownKeys: CodingUserInfoKey { CodingUserInfoKey(rawValue: "ConfigFiles.KnownKeys")! }
        var value: T

        init(from decoder: any Decoder) throws {
            let known = decoder.userInfo[Self.knownKeys] as! KnownKeys  // set by `decode` above, always
            value = try T(from: KeyRecordingDecoder(inner: decoder, known: known))
        }
    }

    public static func load<T: Decodable>(_ type: T.Type, path: String) throws(ConfigFileError) -> T {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigFileError(path: path, reason: "cannot be read (\((error as NSError).localizedFailureReason ?? "no such file or no permission"))")
        }
        do {
            return try decode(T.self, yaml: text)
        } catch {
            throw ConfigFileError(path: path, reason: error.reason, unknownKey: error.unknownKey)
        }
    }

    /// "values[3].address: expected Int" rather than Swift's debug description of the coding path.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let key = path(context)
            return key.isEmpty ? context.debugDescription : "\(key): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return parent.isEmpty ? "missing \(key.stringValue)" : "\(parent): missing \(key.stringValue)"
        @unknown default:
            return "\(error)"
        }
    }
}

/// A configuration file that could not be read or decoded, with the key at fault when there is one.
public struct ConfigFileError: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String?
    public var reason: String
    /// Set when the file holds a key the program does not know.
    public var unknownKey: UnknownKey?

    public init(path: String?, reason: String, unknownKey: UnknownKey? = nil) {
        self.path = path
        self.reason = reason
        self.unknownKey = unknownKey
    }

    public var description: String {
        if let path { "\(path): \(reason)" } else { reason }
    }
}
