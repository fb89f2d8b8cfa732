import Logging

/// swift-log for a daemon: every diagnostic to standard error, one line each, at or above one level.
///
/// Standard output stays for the few lines scripts wait for (`listening on ...`, `stopped by SIGTERM`), so a
/// log line never splits one of them and `--log-level debug` never changes what a script reads.
///
/// What is never logged is the callers' rule, not this handler's: no PIN, no key material, no enrollment secret,
/// no request body. Token URIs print with their PIN redacted (`PKCS11URI.description`).
public enum DaemonLogging {
    /// Installs the handler for the whole process (swift-log allows this once) and returns the daemon's logger.
    public static func bootstrap(label: String, level: Logger.Level) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }
}
