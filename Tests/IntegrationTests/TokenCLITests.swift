import Foundation
import Testing
import TestSupport

/// `gatewayctl token` as a user runs it: a real SoftHSM store per test, checked with openssl and OpenSC's
/// pkcs11-tool as independent tools.
@Suite("gatewayctl token against SoftHSM, checked with openssl and pkcs11-tool")
struct TokenCLITests {
    let hsm: SoftHSMFixture
    let pin: String

    init() async throws {
        hsm = try SoftHSMFixture()
        pin = try await hsm.createToken("gateway")
    }

    func ctl(_ arguments: String..., pin: String? = nil) async throws -> ProcessResult {
        try await hsm.gatewayctl(arguments, pin: pin)
    }

    @Test("keygen, pubkey and sign for every key type; openssl verifies the signature",
          arguments: ["ec-p256", "ec-p384", "ec-p521", "rsa-2048", "rsa-3072", "rsa-4096"])
    func signVerifiedByOpenSSL(type: String) async throws {
        let keygen = try await ctl("token", "keygen", "pkcs11:token=gateway;object=k", "--type", type, pin: pin)
        try #require(keygen.status == 0, "\(keygen.stderr)")
        #expect(keygen.output.hasPrefix("generated "))

        let pub = try await ctl("token", "pubkey", "pkcs11:token=gateway;object=k")
        try #require(pub.status == 0, "\(pub.stderr)")
        let pubPath = hsm.file("pub.pem", pub.stdout)
        let message = hsm.file("message", Data("1.0.1.8.0.255 12345 Wh".utf8))
        let hash = switch type {
        case "ec-p384": "-sha384"
        case "ec-p521": "-sha512"
        default: "-sha256"
        }
        let paddings = type.hasPrefix("rsa") ? ["pss", "pkcs1"] : ["pss"]
        for padding in paddings {
            let sig = hsm.path("sig-\(padding)")
            let sign = try await ctl("token", "sign", "pkcs11:token=gateway;object=k", "--in", message, "--out", sig, "--rsa-padding", padding, pin: pin)
            try #require(sign.status == 0, "\(sign.stderr)")
            var verify = ["dgst", hash, "-verify", pubPath, "-signature", sig]
            if padding == "pss" && type.hasPrefix("rsa") {
                verify += ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32"]
            }
            let verified = try await hsm.openssl(verify + [message])
            #expect(verified.status == 0 && verified.output.contains("Verified OK"), "\(type) \(padding): \(verified.output) \(verified.stderr)")
            // A changed message must not verify.
            let other = hsm.file("other", Data("1.0.1.8.0.255 12346 Wh".utf8))
            #expect(try await hsm.openssl(verify + [other]).status != 0)
        }
    }

    @Test("raw format is r||s of the curve's size")
    func rawFormat() async throws {
        _ = try await ctl("token", "keygen", "pkcs11:token=gateway;object=k", "--type", "ec-p384", pin: pin)
        let message = hsm.file("m", Data("x".utf8))
        let signed = try await ctl("token", "sign", "pkcs11:token=gateway;object=k", "--in", message, "--format", "raw", pin: pin)
        #expect(signed.status == 0)
        #expect(signed.stdout.count == 96)
    }

    @Test("keys made for signing only sign: pkcs11-tool sees usage sign, cannot decrypt with an RSA key, token keys shows it", arguments: ["rsa-2048", "ec-p256"])
    func signOnly(type: String) async throws {
        let keygen = try await ctl("token", "keygen", "pkcs11:token=gateway;object=only-sign;id=%51", "--type", type, pin: pin)
        try #require(keygen.status == 0, "\(keygen.stderr)")
        let listed = try await hsm.pkcs11Tool(["--token-label", "gateway", "--login", "--pin", pin, "--list-objects", "--type", "privkey"])
        let usage = listed.output.split(separator: "\n").first { $0.contains("Usage:") }.map(String.init) ?? ""
        #expect(usage.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) == "sign", "\(usage)")
        let keys = try await ctl("token", "keys", "pkcs11:token=gateway;object=only-sign", pin: pin)
        #expect(keys.output.split(separator: "\n").contains { $0.hasPrefix("private") && $0.contains("  sign") && !$0.contains("decrypt") }, "\(keys.output)")
        #expect(keys.output.split(separator: "\n").contains { $0.hasPrefix("public") && $0.contains("  verify") && !$0.contains("encrypt") }, "\(keys.output)")
        guard type.hasPrefix("rsa") else { return }
        // Encrypt with the public key in openssl, then ask the token to decrypt: it must refuse.
        let pub = await hsm.file("rsa.pem", try ctl("token", "pubkey", "pkcs11:token=gateway;object=only-sign").stdout)
        let plain = hsm.file("plain", Data("secret".utf8))
        let cipher = hsm.path("cipher")
        #expect(try await hsm.openssl(["pkeyutl", "-encrypt", "-pubin", "-inkey", pub, "-in", plain, "-out", cipher]).status == 0)
        let decrypted = try await hsm.pkcs11Tool(["--token-label", "gateway", "--login", "--pin", pin, "--decrypt", "--mechanism", "RSA-PKCS",
                                            "--id", "51", "--input-file", cipher, "--output-file", hsm.path("out")])
        #expect(decrypted.status != 0, "the signing key decrypted: \(decrypted.output)")
        #expect(decrypted.stderr.contains("CKR_KEY_FUNCTION_NOT_PERMITTED") || decrypted.stderr.contains("CKR_KEY_TYPE_INCONSISTENT"),
                "refused for another reason than the key's usage: \(decrypted.stderr)")
    }

    @Test("pkcs11-tool sees our keys as sensitive and never extractable, and signs with them")
    func pkcs11ToolReadsOurKeys() async throws {
        let keygen = try await ctl("token", "keygen", "pkcs11:token=gateway;object=meter-sign;id=%42", "--type", "ec-p256", pin: pin)
        try #require(keygen.status == 0, "\(keygen.stderr)")
        let listed = try await hsm.pkcs11Tool(["--token-label", "gateway", "--login", "--pin", pin, "--list-objects", "--type", "privkey"])
        #expect(listed.output.contains("label:      meter-sign"))
        #expect(listed.output.contains("ID:         42"))
        let access = listed.output.split(separator: "\n").first { $0.contains("Access:") }.map(String.init) ?? ""
        let flags = access.split(separator: ":").last.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
        #expect(flags.contains("sensitive") && flags.contains("never extractable") && !flags.contains("extractable"), "\(access)")

        // pkcs11-tool signs a SHA-256 digest with bare ECDSA; openssl checks it against our exported public key.
        let message = hsm.file("m", Data("signed by pkcs11-tool".utf8))
        let digest = try await hsm.openssl(["dgst", "-sha256", "-binary", message])
        let digestPath = hsm.file("digest", digest.stdout)
        let sig = hsm.path("sig")
        let signed = try await hsm.pkcs11Tool([
            "--token-label", "gateway", "--login", "--pin", pin, "--sign", "--mechanism", "ECDSA", "--id", "42",
            "--signature-format", "openssl", "--input-file", digestPath, "--output-file", sig,
        ])
        try #require(signed.status == 0, "\(signed.stderr)")
        let pub = await hsm.file("pub.pem", try ctl("token", "pubkey", "pkcs11:token=gateway;object=meter-sign").stdout)
        #expect(try await hsm.openssl(["dgst", "-sha256", "-verify", pub, "-signature", sig, message]).output.contains("Verified OK"))
    }

    // P-384 is left out: OpenSC 0.23's pkcs11-tool cannot export an EC P-384 public key ("cannot create EVP_PKEY").
    @Test("keys made by pkcs11-tool sign with gatewayctl; openssl verifies with pkcs11-tool's public key",
          arguments: [("EC:prime256v1", "-sha256"), ("rsa:2048", "-sha256")])
    func gatewayctlSignsPkcs11ToolKeys(keyType: String, hash: String) async throws {
        let made = try await hsm.pkcs11Tool([
            "--token-label", "gateway", "--login", "--pin", pin, "--keypairgen", "--key-type", keyType,
            "--label", "foreign", "--id", "77", "--usage-sign",
        ])
        try #require(made.status == 0, "\(made.stderr)")
        let pubDER = hsm.path("foreign.der")
        let read = try await hsm.pkcs11Tool(["--token-label", "gateway", "--read-object", "--type", "pubkey", "--id", "77", "--output-file", pubDER])
        try #require(read.status == 0, "\(read.stderr)")
        let pubPEM = hsm.path("foreign.pem")
        #expect(try await hsm.openssl(["pkey", "-pubin", "-inform", "DER", "-in", pubDER, "-out", pubPEM]).status == 0)

        let message = hsm.file("m", Data("signed by gatewayctl".utf8))
        let sig = hsm.path("sig")
        let signed = try await ctl("token", "sign", "pkcs11:token=gateway;object=foreign", "--in", message, "--out", sig, "--rsa-padding", "pkcs1", pin: pin)
        try #require(signed.status == 0, "\(signed.stderr)")
        let verified = try await hsm.openssl(["dgst", hash, "-verify", pubPEM, "-signature", sig, message])
        #expect(verified.output.contains("Verified OK"), "\(verified.output) \(verified.stderr)")
    }
}
