/// The version both executables print for `--version`, kept here so gatewayctl and pkid cannot drift apart.
/// ConfigFiles is the one module both of them import.
public enum ProductVersion {
    public static let current = "0.3.0"
}
