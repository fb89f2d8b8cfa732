import Foundation

/// A line on standard output, written at once (not buffered) so scripts and tests reading the pipe see it as soon
/// as it is said: the few announcements a daemon makes to whoever started it (where it listens, that it stopped),
/// apart from the log, which goes to standard error (`DaemonLogging`).
public func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
