//! Parsed, size-checked requests as seen by handlers.

use std::net::SocketAddr;

use serde::de::DeserializeOwned;
use serde_json::error::Category;

use super::response::Response;

/// Header carrying the request's correlation id in both directions.
pub const CORRELATION_ID_HEADER: &str = "X-Correlation-ID";

/// Longest client-supplied correlation id that is echoed back instead of replaced.
const MAX_CORRELATION_ID_LEN: usize = 128;

/// An HTTP request whose body has already been read within the configured limits.
#[derive(Debug, Clone)]
pub struct Request {
    /// Upper-case method, e.g. `GET`.
    pub method: String,
    /// Path without the query string, exactly as sent (slashes are not collapsed).
    pub path: String,
    /// Raw query string without the leading `?` (empty if absent).
    pub query_string: String,
    /// Request body, at most `Limits::max_body_bytes` long.
    pub body: Vec<u8>,
    /// Peer address, when known.
    pub remote_addr: Option<SocketAddr>,
    /// Client-supplied correlation id if well-formed, else a fresh UUID v4.
    pub correlation_id: String,
    /// This request's span: a child of a valid incoming `traceparent`, else a new trace.
    pub trace: crate::trace::TraceContext,
    /// The caller's span id when a valid `traceparent` came with the request.
    pub trace_parent: Option<crate::trace::SpanId>,
    /// Route template that matched (e.g. `/api/v1/rules/:id`), for logs and metrics.
    pub route: &'static str,
    headers: Vec<(String, String)>,
    query: Vec<(String, String)>,
    path_params: Vec<(&'static str, String)>,
}

impl Request {
    /// Builds a request from a method and request target (`/path?query`); useful for handler tests.
    pub fn new(method: &str, target: &str) -> Request {
        Request::with_id(method, target, new_correlation_id())
    }

    fn with_id(method: &str, target: &str, correlation_id: String) -> Request {
        let (path, query_string) = match target.split_once('?') {
            Some((path, query)) => (path, query),
            None => (target, ""),
        };
        Request {
            method: method.to_ascii_uppercase(),
            path: path.to_owned(),
            query_string: query_string.to_owned(),
            body: Vec::new(),
            remote_addr: None,
            correlation_id,
            trace: crate::trace::TraceContext::new_root(),
            trace_parent: None,
            route: "",
            headers: Vec::new(),
            query: parse_query(query_string),
            path_params: Vec::new(),
        }
    }

    /// Appends a header; the correlation id is re-derived when it is `X-Correlation-ID`.
    pub fn with_header(mut self, name: &str, value: &str) -> Request {
        self.headers.push((name.to_owned(), value.to_owned()));
        if name.eq_ignore_ascii_case(CORRELATION_ID_HEADER) {
            self.correlation_id = correlation_id_from(Some(value));
        }
        if name.eq_ignore_ascii_case(crate::trace::TRACEPARENT_HEADER) {
            (self.trace, self.trace_parent) =
                crate::trace::TraceContext::continue_from(Some(value));
        }
        self
    }

    /// Replaces the body.
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Request {
        self.body = body.into();
        self
    }

    /// Returns the first value of a header, matching the name case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// All headers in the order received.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// Returns the first percent-decoded value of a query parameter.
    pub fn query(&self, name: &str) -> Option<String> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    /// Returns a percent-decoded `:name` path parameter of the matched route.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.path_params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Parses the body as JSON, or returns a ready 400 error envelope.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Response> {
        if self.body.is_empty() {
            return Err(Response::error(
                400,
                "request body is empty, expected JSON",
                &self.correlation_id,
            ));
        }
        serde_json::from_slice(&self.body).map_err(|err| {
            // serde's own messages can echo client data and type internals; only the
            // category and position are useful to a caller.
            let problem = match err.classify() {
                Category::Syntax => "invalid JSON syntax",
                Category::Eof => "unexpected end of JSON input",
                Category::Data => "JSON does not match the expected structure",
                Category::Io => "could not read JSON body",
            };
            let message = format!("{problem} at line {}, column {}", err.line(), err.column());
            Response::error(400, &message, &self.correlation_id)
        })
    }

    pub(crate) fn from_parts(
        method: String,
        target: &str,
        headers: Vec<(String, String)>,
        remote_addr: Option<SocketAddr>,
    ) -> Request {
        let correlation_id = correlation_id_from(
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(CORRELATION_ID_HEADER))
                .map(|(_, v)| v.as_str()),
        );
        let mut request = Request::with_id(&method, target, correlation_id);
        (request.trace, request.trace_parent) = crate::trace::TraceContext::continue_from(
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(crate::trace::TRACEPARENT_HEADER))
                .map(|(_, v)| v.as_str()),
        );
        request.headers = headers;
        request.remote_addr = remote_addr;
        request
    }

    pub(crate) fn set_route(&mut self, route: &'static str, params: Vec<(&'static str, String)>) {
        self.route = route;
        self.path_params = params;
    }
}

/// Keeps a well-formed client id so traces join up across services; anything else could
/// be used for log injection, so it is replaced.
fn correlation_id_from(candidate: Option<&str>) -> String {
    match candidate {
        Some(id) if is_valid_correlation_id(id) => id.to_owned(),
        _ => new_correlation_id(),
    }
}

fn is_valid_correlation_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_CORRELATION_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

fn new_correlation_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Query strings use form encoding (`+` means space); empty `&&` pairs are skipped.
fn parse_query(query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// Decodes `%XX` escapes in a path segment (`+` stays `+`); malformed escapes are kept
/// literally rather than rejected, and invalid UTF-8 becomes U+FFFD.
pub(crate) fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_params_are_decoded() {
        let req = Request::new("get", "/x?a=1&b=hello%20world&c=a+b&d&bad=%zz%4");
        assert_eq!(req.method, "GET");
        assert_eq!(req.path, "/x");
        assert_eq!(req.query("a").as_deref(), Some("1"));
        assert_eq!(req.query("b").as_deref(), Some("hello world"));
        assert_eq!(req.query("c").as_deref(), Some("a b"));
        assert_eq!(req.query("d").as_deref(), Some(""));
        assert_eq!(req.query("bad").as_deref(), Some("%zz%4"));
        assert_eq!(req.query("missing"), None);
    }

    #[test]
    fn decoding_keeps_malformed_escapes_and_replaces_invalid_utf8() {
        // (raw, path-segment decoding, form/query decoding)
        let cases = [
            ("a%20b", "a b", "a b"),
            ("a+b", "a+b", "a b"),
            ("a%2Bb", "a+b", "a+b"),
            ("%41%6a", "Aj", "Aj"),
            ("%zz%4", "%zz%4", "%zz%4"),
            ("%%41", "%A", "%A"),
            ("100%", "100%", "100%"),
            ("%C3%A9t%C3%A9", "\u{e9}t\u{e9}", "\u{e9}t\u{e9}"),
            // Invalid UTF-8 is replaced (U+FFFD), never passed on or refused.
            ("%ff", "\u{fffd}", "\u{fffd}"),
            ("x%C3", "x\u{fffd}", "x\u{fffd}"),
            ("%E2%82y", "\u{fffd}y", "\u{fffd}y"),
            ("%00", "\0", "\0"),
        ];
        for (raw, path, form) in cases {
            assert_eq!(percent_decode(raw), path, "path segment {raw:?}");
            let req = Request::new("GET", &format!("/?{raw}={raw}"));
            assert_eq!(req.query(form).as_deref(), Some(form), "query {raw:?}");
        }
    }

    #[test]
    fn correlation_id_validation() {
        assert!(is_valid_correlation_id("abc-123_x.y:z"));
        assert!(!is_valid_correlation_id(""));
        assert!(!is_valid_correlation_id("has space"));
        assert!(!is_valid_correlation_id(
            &"a".repeat(MAX_CORRELATION_ID_LEN + 1)
        ));
        assert!(is_valid_correlation_id(&"a".repeat(MAX_CORRELATION_ID_LEN)));
    }

    #[test]
    fn json_errors_do_not_echo_input() {
        #[derive(serde::Deserialize, Debug)]
        struct Body {
            #[allow(dead_code)]
            n: u32,
        }
        let req = Request::new("POST", "/").with_header("x-correlation-id", "cid");
        let bad = req.clone().with_body(r#"{"n": "secret-value"}"#);
        let err = bad.json::<Body>().expect_err("type mismatch must fail");
        assert_eq!(err.status, 400);
        let body = String::from_utf8_lossy(&err.body).into_owned();
        assert!(!body.contains("secret-value"), "{body}");
        assert_eq!(
            body,
            r#"{"error":"JSON does not match the expected structure at line 1, column 20","correlation_id":"cid"}"#
        );
        let syntax = req.with_body("{nope").json::<Body>().expect_err("syntax");
        assert_eq!(
            String::from_utf8_lossy(&syntax.body),
            r#"{"error":"invalid JSON syntax at line 1, column 2","correlation_id":"cid"}"#
        );
    }
}
