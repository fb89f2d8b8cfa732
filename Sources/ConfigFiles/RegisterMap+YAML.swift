import Foundation
import Modbus

extension RegisterMap {
    /// The map in `path` (YAML, see Config/pac3200.yaml).
    public static func load(path: String) throws(RegisterMapError) -> RegisterMap {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(path: path, reason: (error as NSError).localizedFailureReason ?? "no such file or no permission")
        }
        return try RegisterMap(yaml: text)
    }

    public init(yaml: String) throws(RegisterMapError) {
        let file: RegisterMapFile
        do {
            file = try ConfigFile.decode(RegisterMapFile.self, yaml: yaml)
        } catch {
            throw .malformed(error.reason)
        }
        try self.init(file: file)
    }
}
