import Yams

/// The keys a configuration type asked for while it was decoded, by path (`meter`, `requests.allow[0]`): what the
/// program knows. A key in the file that was never asked for is one the program would silently ignore, which is how
/// `poll_intervall: 5s` used to start a gateway polling every second.
///
/// Learning the keys from the decoding itself, rather than from a list kept beside each settings type, means adding
/// a setting is adding its property: nothing else to keep in step.
final class KnownKeys {
    /// Keys asked for at each path of a mapping the type decoded with keys.
    private var asked: [String: Set<String>] = [:]
    /// Paths whose type took every key there is (a dictionary): any key is known.
    private var open: Set<String> = []

    func mapping(at path: [any CodingKey]) {
        let path = Self.text(path)
        if asked[path] == nil { asked[path] = [] }
    }

    func asked(_ key: any CodingKey, at path: [any CodingKey]) {
        asked[Self.text(path), default: []].insert(key.stringValue)
    }

    func acceptsEveryKey(at path: [any CodingKey]) {
        open.insert(Self.text(path))
    }

    /// The first key of `node` (the whole file) that nothing asked for, in file order.
    func firstUnknown(in node: Node) -> UnknownKey? {
        firstUnknown(in: node, at: "")
    }

    private func firstUnknown(in node: Node, at path: String) -> UnknownKey? {
        switch node {
        case .mapping(let mapping):
            guard let known = asked[path], !open.contains(path) else { return nil }
            for (key, value) in mapping {
                guard let name = key.string else { continue }
                let child = path.isEmpty ? name : "\(path).\(name)"
                guard known.contains(name) else {
                    return UnknownKey(path: child, line: key.mark?.line, nearest: NearestKey.among(known, to: name))
                }
                if let found = firstUnknown(in: value, at: child) { return found }
            }
            return nil
        case .sequence(let sequence):
            for (index, element) in sequence.enumerated() {
                if let found = firstUnknown(in: element, at: "\(path)[\(index)]") { return found }
            }
            return nil
        default:
            return nil
        }
    }

    /// `requests.allow[0].obis`, as errors and these records write a path.
    static func text(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }
}

/// A key in a configuration file that the program does not know, with the known key it most resembles.
public struct UnknownKey: Sendable, Hashable, CustomStringConvertible {
    /// The whole path, `meter.poll_intervall`.
    public var path: String
    public var line: Int?
    /// The known key at the same place nearest in spelling, when there is one.
    public var nearest: String?

    public var description: String {
        let at = line.map { " (line \($0))" } ?? ""
        let parent = path.contains(".") ? String(path[..<path.lastIndex(of: ".")!]) + "." : ""
        let hint = nearest.map { "; did you mean `\(parent)\($0)`?" } ?? "; this place takes no keys"
        return "unknown key `\(path)`\(at)\(hint)"
    }
}
