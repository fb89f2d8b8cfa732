import Foundation
import PKI

/// Test-only points where an integration test stops pkid or makes a step fail, to show what a crash or a failed
/// disk write in the middle of an enrollment or a revocation leaves behind. A process under test cannot be
/// reached any other way: SIGKILL at an exact step needs the process to wait there, and root ignores the
/// permissions that would make `crl.der` unwritable.
///
/// Only debug builds read the variables (the test suite runs debug builds); a release build compiles both
/// hooks to nothing, so a deployed pkid or gatewayctl cannot be paused or failed through its environment.
package enum TestHooks {
    /// `PKID_TEST_PAUSE_AT=<step>`: on reaching `step` the process prints `test hook: paused at <step>` on
    /// standard output and waits there for good, until the test kills it.
    package static func pause(at step: String) async {
        #if DEBUG
        guard ProcessInfo.processInfo.environment["PKID_TEST_PAUSE_AT"] == step else { return }
        FileHandle.standardOutput.write(Data("test hook: paused at \(step)\n".utf8))
        while true { try? await Task.sleep(for: .seconds(3600)) }
        #endif
    }

    /// `PKI_TEST_FAIL_AT=<step>`: `step` throws, as a full disk or a locked file would make it.
    package static func failure(at step: String) throws(TestHookFailure) {
        #if DEBUG
        if ProcessInfo.processInfo.environment["PKI_TEST_FAIL_AT"] == step { throw TestHookFailure(step: step) }
        #endif
    }
}

/// The failure `PKI_TEST_FAIL_AT` injects.
package struct TestHookFailure: Error, CustomStringConvertible {
    package var step: String
    package var description: String { "\(step) failed by the test hook PKI_TEST_FAIL_AT" }
}

/// The steps of an enrollment a test can hold it at (see `RegistrationAuthority.pause`).
package enum EnrollmentStep: String, Sendable {
    /// Every check passed; nothing is signed and nothing in the directory has changed.
    case checked
    /// The certificate is about to be recorded: signed, but not yet in the directory.
    case beforeRecord = "before-record"
    /// The certificate is recorded and the secret used; the answer has not left yet.
    case afterRecord = "after-record"
}
