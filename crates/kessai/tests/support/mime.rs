//! Reading an email as a strict MIME reader would: `MIME-Version: 1.0` must be there, or the
//! `Content-Type` and transfer encoding that follow it may be ignored.

/// Parses `raw` (mail-parser, an independent implementation) and checks its MIME framing:
/// the version header, a UTF-8 plain-text type, 7-bit headers. Returns the decoded text.
pub fn checked_text(raw: &[u8]) -> String {
    let head_end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("headers end with an empty line");
    let headers = &raw[..head_end];
    assert!(
        headers.is_ascii(),
        "non-ASCII header bytes: {}",
        String::from_utf8_lossy(headers)
    );
    use mail_parser::MimeHeaders;
    let parsed = mail_parser::MessageParser::default()
        .parse(raw)
        .expect("parseable MIME");
    assert_eq!(
        parsed.header_raw("MIME-Version").map(str::trim),
        Some("1.0"),
        "MIME-Version in {}",
        String::from_utf8_lossy(headers)
    );
    let ct = parsed.content_type().expect("a Content-Type");
    assert_eq!((ct.ctype(), ct.subtype()), ("text", Some("plain")));
    assert_eq!(
        ct.attribute("charset")
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("utf-8")
    );
    parsed
        .body_text(0)
        .expect("a text body")
        .replace("\r\n", "\n")
}
