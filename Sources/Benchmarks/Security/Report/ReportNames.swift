/// How the report's prose names the bench's signers and algorithms ("P-256 on SoftHSM"): results.json keeps the
/// bench's identifiers, the sentences read as a reader would say them. An identifier not known here is used as it is.
enum ReportNames {
    static func signer(_ identifier: String) -> String {
        switch identifier {
        case "software": "a software key"
        case "softhsm": "SoftHSM"
        case "card": "the virtual card"
        default: identifier
        }
    }

    static func algorithm(_ identifier: String) -> String {
        switch identifier {
        case "ec-p256": "P-256"
        case "ec-p384": "P-384"
        case "rsa-2048-pkcs1": "RSA-2048 (PKCS#1 v1.5)"
        case "rsa-2048-pss": "RSA-2048 (PSS)"
        case "rsa-3072-pkcs1": "RSA-3072 (PKCS#1 v1.5)"
        case "ec-brainpoolP256r1": "brainpool P-256"
        default: identifier
        }
    }

    /// "P-256 on SoftHSM".
    static func combination(_ run: SignerRun) -> String {
        "\(algorithm(run.algorithm)) on \(signer(run.signer))"
    }
}
