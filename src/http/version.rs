//! REST API versioning: negotiation, the version headers and the `/api/*/version` body.
//!
//! v2.5 negotiated a version but always answered `X-API-Version: 2.5` and never marked v1 as
//! deprecated (reference/webui.md §1.2); mutt echoes the negotiated version and sets the
//! deprecation headers by path prefix (CONTRACT §5).

use chrono::NaiveDate;
use serde_json::{json, Value};

/// The version served when a client asks for none (or only for unsupported ones).
pub const CURRENT_VERSION: &str = "2.5";
/// Every version a client may ask for, newest first.
pub const SUPPORTED_VERSIONS: [&str; 3] = ["2.5", "2.0", "1.0"];
/// The day `/api/v1/*` is planned to go away (v2.5's `removal_date` of 1.0).
pub const V1_REMOVAL_DATE: &str = "2026-01-01";
/// The release that deprecates 1.0 (v2.5's `deprecated_in`).
const V1_DEPRECATED_IN: &str = "3.0";

/// Path prefix of the deprecated API generation.
const V1_PREFIX: &str = "/api/v1";
/// Path prefix of the current API generation.
const V2_PREFIX: &str = "/api/v2";
/// Only API responses carry version headers (v2.5 behaviour; pages and probes get none).
const API_PREFIX: &str = "/api/";

/// The supported version a client asked for: the first supported value among `Accept-Version`,
/// `X-API-Version` and `?api_version=` (each may be a comma-separated list and may carry a
/// leading `v`), else [`CURRENT_VERSION`].
pub fn negotiate(
    accept_version: Option<&str>,
    x_api_version: Option<&str>,
    query_api_version: Option<&str>,
) -> &'static str {
    [accept_version, x_api_version, query_api_version]
        .into_iter()
        .flatten()
        .flat_map(|value| value.split(','))
        .find_map(supported)
        .unwrap_or(CURRENT_VERSION)
}

/// The canonical spelling of a supported version, if `asked` names one.
fn supported(asked: &str) -> Option<&'static str> {
    let asked = asked.trim();
    let bare = asked
        .strip_prefix('v')
        .or_else(|| asked.strip_prefix('V'))
        .unwrap_or(asked);
    SUPPORTED_VERSIONS.into_iter().find(|v| *v == bare)
}

/// True when `path` is `prefix` itself or lies below it (`/api/v10` is not below `/api/v1`).
fn under(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The version headers of a response to `path` (without query string); none outside `/api/`.
pub fn headers(path: &str, negotiated: &str) -> Vec<(&'static str, String)> {
    if !path.starts_with(API_PREFIX) {
        return Vec::new();
    }
    let mut out = vec![
        ("X-API-Version", negotiated.to_string()),
        ("X-API-Supported-Versions", SUPPORTED_VERSIONS.join(", ")),
    ];
    if under(path, V1_PREFIX) {
        out.push(("X-API-Deprecated", "true".to_string()));
        out.push(("Sunset", sunset_http_date()));
    } else if under(path, V2_PREFIX) {
        out.push(("X-API-Deprecated", "false".to_string()));
    }
    out
}

/// [`V1_REMOVAL_DATE`] as an HTTP-date (RFC 9110 IMF-fixdate), the form RFC 8594 `Sunset` uses.
fn sunset_http_date() -> String {
    NaiveDate::parse_from_str(V1_REMOVAL_DATE, "%Y-%m-%d")
        .expect("V1_REMOVAL_DATE is a valid date")
        .format("%a, %d %b %Y 00:00:00 GMT")
        .to_string()
}

/// The body of `GET /api/{v1,v2}/version`.
pub fn version_body() -> Value {
    json!({
        "current_version": CURRENT_VERSION,
        "default_version": CURRENT_VERSION,
        "supported_versions": SUPPORTED_VERSIONS,
        "version_history": {
            "2.5": {
                "released": "2025-11-10",
                "status": "current",
                "changes": [
                    "Every /api/v1 route also answers under /api/v2 with identical JSON",
                    "SLO report with ingestor and forwarder components plus per-SLO detail",
                    "Dashboard rates from the last complete minute over zero-filled windows",
                    "JSON error envelope with correlation_id on every error status",
                    "Times in RFC 3339 UTC",
                    "X-API-Version echoes the negotiated version",
                ],
            },
            "2.0": {
                "released": "2025-11-10",
                "status": "supported",
                "changes": [
                    "Version negotiation via Accept-Version, X-API-Version or ?api_version=",
                    "Config-audit listing under `changes` with filters and paging",
                    "Dynamic configuration API with change history",
                    "Configuration, rule, dev-host and team changes audited with their reason",
                    "API keys with read or admin scope",
                ],
            },
            "1.0": {
                "released": "2024-01-01",
                "status": "supported",
                "deprecated_in": V1_DEPRECATED_IN,
                "removal_date": V1_REMOVAL_DATE,
                "changes": [
                    "Alert rules CRUD",
                    "Development hosts and device teams CRUD",
                    "Event audit log listing with paging",
                    "Ingest-rate metrics for the dashboard",
                ],
            },
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header<'h>(hs: &'h [(&'static str, String)], name: &str) -> Option<&'h str> {
        hs.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn negotiation_defaults_to_current() {
        assert_eq!(negotiate(None, None, None), "2.5");
        assert_eq!(negotiate(Some(""), Some("  "), None), "2.5");
    }

    #[test]
    fn first_supported_value_wins_in_header_order() {
        assert_eq!(negotiate(Some("2.0"), Some("1.0"), Some("2.5")), "2.0");
        assert_eq!(negotiate(Some("99.0"), Some("1.0"), None), "1.0");
        assert_eq!(negotiate(Some("99.0"), None, Some("2.0")), "2.0");
        assert_eq!(negotiate(Some("99.0"), Some("3"), Some("x")), "2.5");
    }

    #[test]
    fn leading_v_and_lists_are_accepted() {
        assert_eq!(negotiate(Some("v2.0"), None, None), "2.0");
        assert_eq!(negotiate(None, Some("V1.0"), None), "1.0");
        assert_eq!(negotiate(Some("9.9, v1.0"), None, None), "1.0");
        assert_eq!(negotiate(Some("2"), None, None), "2.5", "no fuzzy matching");
    }

    #[test]
    fn headers_echo_negotiated_version() {
        let hs = headers("/api/v1/version", "2.0");
        assert_eq!(header(&hs, "X-API-Version"), Some("2.0"));
        assert_eq!(
            header(&hs, "X-API-Supported-Versions"),
            Some("2.5, 2.0, 1.0")
        );
    }

    #[test]
    fn v1_is_deprecated_with_sunset_and_v2_is_not() {
        let v1 = headers("/api/v1/rules", "2.5");
        assert_eq!(header(&v1, "X-API-Deprecated"), Some("true"));
        assert_eq!(header(&v1, "Sunset"), Some("Thu, 01 Jan 2026 00:00:00 GMT"));
        let v2 = headers("/api/v2/rules", "2.5");
        assert_eq!(header(&v2, "X-API-Deprecated"), Some("false"));
        assert_eq!(header(&v2, "Sunset"), None);
        let v10 = headers("/api/v10/rules", "2.5");
        assert_eq!(header(&v10, "X-API-Deprecated"), None);
        assert_eq!(header(&v10, "X-API-Version"), Some("2.5"));
    }

    #[test]
    fn non_api_paths_get_no_headers() {
        assert!(headers("/health", "2.5").is_empty());
        assert!(headers("/metrics", "2.5").is_empty());
        assert!(headers("/", "2.5").is_empty());
        assert!(headers("/apiary", "2.5").is_empty());
    }

    #[test]
    fn body_covers_every_supported_version() {
        let body = version_body();
        assert_eq!(body["current_version"], "2.5");
        assert_eq!(body["default_version"], "2.5");
        let supported: Vec<&str> = body["supported_versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(supported, SUPPORTED_VERSIONS);
        assert!(supported.contains(&body["current_version"].as_str().unwrap()));
        for v in SUPPORTED_VERSIONS {
            let entry = &body["version_history"][v];
            assert!(entry["released"].is_string(), "{v}");
            assert!(entry["status"].is_string(), "{v}");
            let changes = entry["changes"].as_array().unwrap();
            assert!(!changes.is_empty(), "{v}");
            assert!(changes.iter().all(|c| !c.as_str().unwrap().is_empty()));
        }
        assert_eq!(body["version_history"]["1.0"]["deprecated_in"], "3.0");
        assert_eq!(body["version_history"]["1.0"]["removal_date"], "2026-01-01");
        assert_eq!(body["version_history"]["2.5"]["status"], "current");
    }
}
