import Foundation
import Testing
import TestSupport

/// The one-line messages a user sees when something they control is wrong, and that nothing else is printed.
@Suite("gatewayctl token: what a user sees when something is wrong")
struct TokenCLIMessageTests {
    let hsm: SoftHSMFixture
    let pin: String

    init() async throws {
        hsm = try SoftHSMFixture()
        pin = try await hsm.createToken("gateway")
        let keygen = try await hsm.gatewayctl(["token", "keygen", "pkcs11:token=gateway;object=meter-sign;id=%01"], pin: pin)
        precondition(keygen.status == 0, keygen.stderr)
    }

    func fails(_ arguments: [String], pin: String? = nil, extra: [String: String] = [:]) async throws -> String {
        let message = hsm.file("m", Data("m".utf8))
        let result = try await hsm.gatewayctl(arguments.map { $0 == "MSG" ? message : $0 }, pin: pin, extra: extra)
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "more than one line: \(result.stderr)")
        return String(lines.first ?? "")
    }

    @Test("wrong PIN: named, not retried, and the token's count hint given")
    func wrongPIN() async throws {
        let line = try await fails(["token", "sign", "pkcs11:token=gateway;object=meter-sign", "--in", "MSG"], pin: "99999999")
        #expect(line.hasPrefix("gatewayctl: wrong PIN for token \"gateway\" ("))
        #expect(line.hasSuffix("); it was not retried: fix GATEWAY_PIN or the pin-source file"))
        #expect(!line.contains("99999999"))
    }

    @Test("missing token: names the tokens that are there")
    func missingToken() async throws {
        let line = try await fails(["token", "keys", "pkcs11:token=headend"], pin: pin)
        #expect(line.hasPrefix("gatewayctl: no token matches pkcs11:token=headend: tokens present: \"gateway\" (serial "))
        #expect(line.hasSuffix("; check the token label, insert the card, or set SOFTHSM2_CONF for SoftHSM"))
    }

    @Test("missing key")
    func missingKey() async throws {
        let line = try await fails(["token", "sign", "pkcs11:token=gateway;object=nope", "--in", "MSG"], pin: pin)
        #expect(line == "gatewayctl: no private key matches pkcs11:token=gateway;object=nope on the token; list what is there with `gatewayctl token keys`")
    }

    @Test("ambiguous label: lists both keys and says how to choose")
    func ambiguousLabel() async throws {
        let second = try await hsm.pkcs11Tool([
            "--token-label", "gateway", "--login", "--pin", pin, "--keypairgen", "--key-type", "EC:prime256v1",
            "--label", "meter-sign", "--id", "02",
        ])
        try #require(second.status == 0)
        let line = try await fails(["token", "sign", "pkcs11:token=gateway;object=meter-sign", "--in", "MSG"], pin: pin)
        #expect(line == "gatewayctl: pkcs11:token=gateway;object=meter-sign matches 2 keys (object=meter-sign id=01; object=meter-sign id=02); add id= or a distinct object= to the URI"
            || line == "gatewayctl: pkcs11:token=gateway;object=meter-sign matches 2 keys (object=meter-sign id=02; object=meter-sign id=01); add id= or a distinct object= to the URI")
    }

    @Test("no PIN source at all, a PIN on the command line, a PIN file others can read")
    func pinSources() async throws {
        #expect(try await fails(["token", "sign", "pkcs11:token=gateway;object=meter-sign", "--in", "MSG"])
            == "gatewayctl: token \"gateway\" needs a PIN: set GATEWAY_PIN, add ?pin-source=file:PATH to the URI, or run on a terminal to be asked")
        #expect(try await fails(["token", "sign", "pkcs11:token=gateway;object=meter-sign?pin-value=\(pin)", "--in", "MSG"])
            == "gatewayctl: pin-value in a PKCS#11 URI is refused because it exposes the PIN in argv and config files; use GATEWAY_PIN or ?pin-source=file:PATH")
        // Any permission for the group or others is refused, not only world-readable files.
        for mode: mode_t in [0o644, 0o640, 0o660, 0o604, 0o620] {
            let open = hsm.file("open-\(String(mode, radix: 8)).pin", Data(pin.utf8))
            chmod(open, mode)
            #expect(try await fails(["token", "sign", "pkcs11:token=gateway;object=meter-sign?pin-source=file:\(open)", "--in", "MSG"])
                == "gatewayctl: PIN file \(open) is readable or writable by its group or other users (mode \(String(mode, radix: 8))); run chmod 600 \(open)")
        }
        // The right file works, and so does a named variable.
        let good = try hsm.pinFile(pin)
        let message = hsm.file("m2", Data("m".utf8))
        #expect(try await hsm.gatewayctl(["token", "sign", "pkcs11:token=gateway;object=meter-sign?pin-source=file:\(good)", "--in", message]).status == 0)
        #expect(try await hsm.gatewayctl(["token", "sign", "pkcs11:token=gateway;object=meter-sign?pin-source=env:METER_PIN", "--in", message],
                                   extra: ["METER_PIN": pin]).status == 0)
    }

    @Test("a PIN file of another user is refused even with mode 600", .enabled(if: getuid() == 0, "needs root to chown"))
    func foreignPINFile() async throws {
        let foreign = hsm.file("foreign.pin", Data(pin.utf8))
        chmod(foreign, 0o600)
        #expect(chown(foreign, 65534, 65534) == 0)
        #expect(try await fails(["token", "sign", "pkcs11:token=gateway;object=meter-sign?pin-source=file:\(foreign)", "--in", "MSG"])
            == "gatewayctl: PIN file \(foreign) belongs to another user (uid 65534); chown it to the user the gateway runs as")
    }

    @Test("malformed URI and missing module")
    func malformedInput() async throws {
        #expect(try await fails(["token", "keys", "pkcs11:token=gate%G1way"], pin: pin)
            == "gatewayctl: invalid PKCS#11 URI \"pkcs11:token=gate%G1way\": bad percent-encoding in attribute \"token\"")
        let line = try await fails(["token", "list", "--module", "/nonexistent/libpkcs11.so"])
        #expect(line.hasPrefix("gatewayctl: cannot load PKCS#11 module /nonexistent/libpkcs11.so: "))
        #expect(line.hasSuffix("or give the right path with --module or module-path="))
    }

    @Test("delete refuses a URI that names no object")
    func deleteNeedsObject() async throws {
        #expect(try await fails(["token", "delete", "pkcs11:token=gateway"], pin: pin)
            == "gatewayctl: refusing to delete: pkcs11:token=gateway names no object; add object= or id=")
    }
}
