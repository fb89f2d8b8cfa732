/// A benchmark that cannot run as asked: a bad option, a daemon that did not start. One line, with what to do.
public struct BenchError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
