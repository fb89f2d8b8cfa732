import PKIService
import Testing

/// pkid's request counter is labelled by route; a label per path would grow with every serial looked up.
@Suite("pkid's metric routes")
struct PKIServiceRouteTests {
    @Test("paths map to their endpoint's shape; serials, OCSP requests and unknown paths never become labels", arguments: [
        ("/ca", "/ca"), ("/crl", "/crl"), ("/certificates", "/certificates"),
        ("/certificates/0A1B2C", "/certificates/{serial}"), ("/certificates/not-hex", "/certificates/{serial}"),
        ("/ocsp", "/ocsp"), ("/ocsp/MEIwQDA%2BMDwwOjAJBgUrDgMCGgUABBQ", "/ocsp"),
        ("/.well-known/est/cacerts", "/.well-known/est/cacerts"),
        ("/.well-known/est/tls/simpleenroll", "/.well-known/est/{label}/simpleenroll"),
        ("/.well-known/est/simplereenroll", "/.well-known/est/simplereenroll"),
        ("/.well-known/est/anything", "other"), ("/admin", "other"), ("/", "other"), ("/certificates/a/b", "other"),
    ])
    func routes(path: String, route: String) {
        #expect(PKIServiceMetrics.route(of: path) == route)
    }
}
