import Foundation
import PKCS11
import Testing
import TestSupport

/// How often the token is asked to log in, counted by OpenSC's pkcs11-spy between us and SoftHSM: the message
/// "it was not retried" must be true of what reaches the token, not only of what we print.
@Suite("C_Login calls, counted by pkcs11-spy")
struct LoginCountTests {
    static let spy = "/usr/lib/x86_64-linux-gnu/pkcs11-spy.so"

    #if os(Linux)
    @Test("a rejected PIN reaches the token once, however many lookups follow")
    func rejectedPINOnce() async throws {
        try #require(FileManager.default.fileExists(atPath: Self.spy), "OpenSC's pkcs11-spy.so is missing; make deps installs opensc")
        // A child process, so the spy is the only module it loads (this process has SoftHSM loaded directly).
        let result = try #require(await #expect(processExitsWith: .success, observing: [\.standardOutputContent, \.standardErrorContent]) {
            let hsm = try SoftHSMFixture()
            _ = try await hsm.createToken("counted")
            let log = hsm.path("spy.log")
            setenv("SOFTHSM2_CONF", hsm.configPath, 1)
            setenv("PKCS11SPY", SoftHSMFixture.module, 1)
            setenv("PKCS11SPY_OUTPUT", log, 1)
            let wrong = try hsm.pinFile("00000000")
            var uri = try PKCS11URI(parsing: "pkcs11:token=counted;object=k")
            uri.pinSource = "file:\(wrong)"
            let token = try await Token.open(uri, module: try await Module.load(path: LoginCountTests.spy), environment: [:])
            var refusals = 0
            for _ in 0..<3 {
                do {
                    _ = try await token.key(uri)
                } catch let error as PKCS11Error {
                    if case .pinIncorrect = error { refusals += 1 } else { throw error }
                }
            }
            await token.close()
            Module.finalizeAll()
            let text = try String(contentsOfFile: log, encoding: .utf8)
            print("refusals \(refusals)")
            print("logins \(text.components(separatedBy: "\n").filter { $0.contains("C_Login") }.count)")
            fflush(nil)
            exit(0)
        })
        let output = String(decoding: result.standardOutputContent, as: UTF8.self)
        #expect(output.contains("refusals 3\n"), "\(output) \(String(decoding: result.standardErrorContent, as: UTF8.self))")
        #expect(output.contains("logins 1\n"), "three lookups with a rejected PIN must log in once: \(output)")
    }
    #endif
}
