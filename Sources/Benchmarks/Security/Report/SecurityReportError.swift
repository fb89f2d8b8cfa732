/// Why the report could not be written, as one line that names the path and what to do.
public enum SecurityReportError: Error, CustomStringConvertible, Equatable {
    /// `--report` names a file, not a directory.
    case notADirectory(path: String)
    /// The directory could not be made (a parent missing rights, a read-only file system).
    case cannotCreateDirectory(path: String, reason: String)
    /// A file in it could not be written.
    case cannotWrite(path: String, reason: String)
    /// The results could not be encoded as JSON.
    case cannotEncode(reason: String)

    public var description: String {
        switch self {
        case .notADirectory(let path):
            "report: \(path) is a file, not a directory; give --report a directory (it is made if missing)"
        case .cannotCreateDirectory(let path, let reason):
            "report: cannot create the directory \(path) (\(reason)); give --report a directory you can write to"
        case .cannotWrite(let path, let reason):
            "report: cannot write \(path) (\(reason)); make the directory writable or give --report another one"
        case .cannotEncode(let reason):
            "report: cannot encode the results as JSON (\(reason)); this is a bug, please report it with the command line"
        }
    }
}
