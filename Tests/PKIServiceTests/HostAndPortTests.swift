import Testing
import Transport

@Suite("host:port and service URLs: one parser for every setting and option")
struct HostAndPortTests {
    @Test("the forms users write are read; the mistakes they make are refused")
    func forms() {
        #expect(HostAndPort(parsing: "127.0.0.1:8443") == HostAndPort(host: "127.0.0.1", port: 8443))
        #expect(HostAndPort(parsing: "pkid.example:0") == HostAndPort(host: "pkid.example", port: 0))
        #expect(HostAndPort(parsing: "[::1]:5020") == HostAndPort(host: "::1", port: 5020))
        #expect(HostAndPort(parsing: "[::1]:5020")?.description == "[::1]:5020")
        for wrong in ["127.0.0.1", ":8443", "host:", "host:65536", "host:-1", "::1:5020", "[::1]", "[::1]5020", "host:8a"] {
            #expect(HostAndPort(parsing: wrong) == nil, "\(wrong)")
        }
    }

    @Test("service URLs need a scheme and a port; the path defaults to /")
    func urls() {
        let est = ServiceURL(parsing: "https://pkid.example:8443/.well-known/est")
        #expect(est?.secure == true)
        #expect(est?.endpoint == HostAndPort(host: "pkid.example", port: 8443))
        #expect(est?.path == "/.well-known/est")
        #expect(ServiceURL(parsing: "http://[::1]:8080")?.path == "/")
        #expect(ServiceURL(parsing: "http://[::1]:8080")?.endpoint.host == "::1")
        for wrong in ["ftp://host:21/", "https://host/est", "pkid:8443", "http://:80/"] {
            #expect(ServiceURL(parsing: wrong) == nil, "\(wrong)")
        }
    }
}
