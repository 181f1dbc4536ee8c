//! Handler responses.

use serde::Serialize;

const JSON_CONTENT_TYPE: &str = "application/json";

/// A complete, buffered HTTP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// HTTP status code.
    pub status: u16,
    /// Response headers in the order they will be sent.
    pub headers: Vec<(String, String)>,
    /// Response body.
    pub body: Vec<u8>,
}

#[derive(Serialize)]
struct ErrorEnvelope<'a> {
    error: &'a str,
    correlation_id: &'a str,
}

impl Response {
    /// Serializes `value` as a JSON response.
    pub fn json(status: u16, value: &impl Serialize) -> Response {
        match serde_json::to_vec(value) {
            Ok(body) => Response {
                status,
                headers: vec![("Content-Type".to_owned(), JSON_CONTENT_TYPE.to_owned())],
                body,
            },
            Err(err) => {
                // Only a broken Serialize impl (e.g. a map with non-string keys) gets here.
                log::error!("failed to serialize JSON response: {err}");
                Response::raw_json(500, br#"{"error":"internal error"}"#.to_vec())
            }
        }
    }

    /// Builds a response with an arbitrary content type.
    pub fn text(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".to_owned(), content_type.to_owned())],
            body: body.into(),
        }
    }

    /// Builds the standard JSON error envelope `{"error": …, "correlation_id": …}`.
    pub fn error(status: u16, message: &str, correlation_id: &str) -> Response {
        Response::json(
            status,
            &ErrorEnvelope {
                error: message,
                correlation_id,
            },
        )
    }

    /// Adds a header, replacing any existing header of the same (case-insensitive) name.
    pub fn with_header(mut self, name: &str, value: &str) -> Response {
        self.set_header(name, value);
        self
    }

    /// Sets a header in place, replacing any existing header of the same name.
    pub fn set_header(&mut self, name: &str, value: &str) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.to_owned()));
    }

    /// Returns the first header value with the given (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn raw_json(status: u16, body: Vec<u8>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".to_owned(), JSON_CONTENT_TYPE.to_owned())],
            body,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_envelope_shape() {
        let resp = Response::error(404, "not found", "abc");
        assert_eq!(resp.status, 404);
        assert_eq!(resp.header("content-type"), Some("application/json"));
        assert_eq!(
            String::from_utf8_lossy(&resp.body),
            r#"{"error":"not found","correlation_id":"abc"}"#
        );
    }

    #[test]
    fn with_header_replaces_case_insensitively() {
        let resp = Response::text(200, "text/plain", "hi").with_header("content-type", "a/b");
        assert_eq!(
            resp.headers,
            vec![("content-type".to_owned(), "a/b".to_owned())]
        );
    }
}
