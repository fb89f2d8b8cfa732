import Transport

extension String {
    /// The routes' name for form-style decoding, which lives with the HTTP messages in Transport.
    var removingPercentEncoding: String? { HTTPRequestMessage.percentDecoded(self) }
}
