/// Why `Module.restart` did not finalise and initialise a module again: printed as gatewayd logs it.
public enum ModuleRestartFailure: Error, Sendable, CustomStringConvertible {
    /// A call on one of the module's tokens did not return within the timeout; the module was left as it was.
    case busy(Duration)
    /// C_Finalize ran, but C_Initialize failed: the module holds no sessions until it is loaded again.
    case reinitialise(PKCS11Error)

    public var description: String {
        switch self {
        case .busy(let timeout): "a call on one of its tokens did not return within \(timeout); the module was not restarted"
        case .reinitialise(let error): "it was finalised but could not be initialised again: \(error)"
        }
    }
}
