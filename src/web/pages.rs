//! The HTML pages and static assets of the web UI, embedded in the binary.
//!
//! Everything is self-hosted (no CDN, no external fonts) and every script and style lives in its
//! own file, so the pages work under `Content-Security-Policy: default-src 'self'`.

/// The layout every page but the login shares: head, navigation bar, then the page's content.
const LAYOUT: &str = include_str!("assets/layout.html");

/// Page paths, their id (script `/static/<id>.js`, `data-page`), title and content.
const PAGES: &[(&str, &str, &str, &str)] = &[
    (
        "/",
        "dashboard",
        "MUTT Metrics Dashboard",
        include_str!("assets/pages/dashboard.html"),
    ),
    (
        "/rules",
        "rules",
        "Rules - mutt",
        include_str!("assets/pages/rules.html"),
    ),
    (
        "/dev-hosts",
        "dev-hosts",
        "Development hosts - mutt",
        include_str!("assets/pages/dev-hosts.html"),
    ),
    (
        "/teams",
        "teams",
        "Device teams - mutt",
        include_str!("assets/pages/teams.html"),
    ),
    (
        "/silences",
        "silences",
        "Silences - mutt",
        include_str!("assets/pages/silences.html"),
    ),
    (
        "/audit-logs",
        "audit-logs",
        "Event audit - mutt",
        include_str!("assets/pages/audit-logs.html"),
    ),
    (
        "/audit",
        "audit",
        "Configuration Audit Log - mutt",
        include_str!("assets/pages/audit.html"),
    ),
    (
        "/config",
        "config",
        "Dynamic configuration - mutt",
        include_str!("assets/pages/config.html"),
    ),
];

/// The login page stands alone (no navigation: nobody is logged in yet).
const LOGIN: &str = include_str!("assets/login.html");

/// Every page rendered once into its layout.
fn rendered() -> &'static [(&'static str, String)] {
    static RENDERED: std::sync::OnceLock<Vec<(&'static str, String)>> = std::sync::OnceLock::new();
    RENDERED.get_or_init(|| {
        PAGES
            .iter()
            .map(|(path, id, title, content)| {
                let html = LAYOUT
                    .replace("{{title}}", title)
                    .replace("{{page}}", id)
                    .replace("{{content}}", content);
                (*path, html)
            })
            .collect()
    })
}

const JS: &str = "text/javascript; charset=utf-8";

/// Asset names (under `/static/`), content types and bytes.
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "style.css",
        "text/css; charset=utf-8",
        include_bytes!("assets/style.css"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("assets/favicon.svg"),
    ),
    ("common.js", JS, include_bytes!("assets/common.js")),
    ("login.js", JS, include_bytes!("assets/login.js")),
    ("dashboard.js", JS, include_bytes!("assets/dashboard.js")),
    ("rules.js", JS, include_bytes!("assets/rules.js")),
    ("dev-hosts.js", JS, include_bytes!("assets/dev-hosts.js")),
    ("teams.js", JS, include_bytes!("assets/teams.js")),
    ("silences.js", JS, include_bytes!("assets/silences.js")),
    ("audit-logs.js", JS, include_bytes!("assets/audit-logs.js")),
    ("audit.js", JS, include_bytes!("assets/audit.js")),
    ("config.js", JS, include_bytes!("assets/config.js")),
];

/// The HTML of a page path (`/`, `/rules`, `/dev-hosts`, `/teams`, `/silences`, `/audit-logs`, `/audit`, `/config`, `/login`), if it is one.
pub fn page(path: &str) -> Option<&'static str> {
    if path == "/login" {
        return Some(LOGIN);
    }
    rendered()
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, html)| html.as_str())
}

/// A static asset under `/static/…`: (content type, bytes).
///
/// Takes the request path (`/static/style.css`); the bare name (`style.css`) is accepted too.
pub fn asset(path: &str) -> Option<(&'static str, &'static [u8])> {
    let name = path.strip_prefix("/static/").unwrap_or(path);
    ASSETS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, ctype, bytes)| (*ctype, *bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LISTED: [&str; 9] = [
        "/",
        "/rules",
        "/dev-hosts",
        "/teams",
        "/silences",
        "/audit-logs",
        "/audit",
        "/config",
        "/login",
    ];

    /// Every `src="…"`/`href="…"` value in `html`.
    fn references(html: &str) -> Vec<&str> {
        let mut out = Vec::new();
        for attr in ["src=\"", "href=\""] {
            let mut rest = html;
            while let Some(i) = rest.find(attr) {
                rest = &rest[i + attr.len()..];
                let end = rest.find('"').expect("unterminated attribute");
                out.push(&rest[..end]);
                rest = &rest[end..];
            }
        }
        out
    }

    /// Whether `html` has an attribute like ` onclick=`.
    fn has_handler_attribute(html: &str) -> bool {
        html.match_indices(" on").any(|(i, _)| {
            let name: String = html[i + 3..]
                .chars()
                .take_while(|c| c.is_ascii_alphabetic())
                .collect();
            !name.is_empty() && html[i + 3 + name.len()..].starts_with('=')
        })
    }

    fn text(bytes: &[u8]) -> &str {
        std::str::from_utf8(bytes).expect("assets are UTF-8")
    }

    #[test]
    fn every_listed_page_exists_and_nothing_else_is_a_page() {
        for p in LISTED {
            let html = page(p).unwrap_or_else(|| panic!("no page for {p}"));
            assert!(html.starts_with("<!doctype html>"), "{p}");
        }
        assert_eq!(PAGES.len() + 1, LISTED.len(), "every page plus the login");
        for p in [
            "/static/style.css",
            "/rules/",
            "/index.html",
            "",
            "/api/v2/rules",
        ] {
            assert!(page(p).is_none(), "{p:?} is not a page");
        }
    }

    #[test]
    fn pages_reference_only_served_static_assets_or_other_pages() {
        for p in LISTED {
            let refs = references(page(p).unwrap());
            assert!(
                refs.contains(&"/static/style.css"),
                "{p} has the stylesheet"
            );
            for r in refs {
                if let Some(name) = r.strip_prefix("/static/") {
                    assert!(
                        asset(r).is_some(),
                        "{p} references {r}, which is not served"
                    );
                    assert!(asset(name).is_some());
                } else {
                    assert!(page(r).is_some(), "{p} links to {r:?}, which is not a page");
                }
            }
        }
    }

    #[test]
    fn every_asset_is_used_by_some_page() {
        for (name, _, _) in ASSETS {
            let path = format!("/static/{name}");
            assert!(
                LISTED
                    .iter()
                    .any(|p| references(page(p).unwrap()).contains(&path.as_str())),
                "{path} is served but no page uses it"
            );
        }
    }

    #[test]
    fn content_types_follow_the_extension() {
        for (name, ctype, _) in ASSETS {
            let want = match name.rsplit('.').next().unwrap() {
                "css" => "text/css",
                "js" => "text/javascript",
                "svg" => "image/svg+xml",
                other => panic!("unexpected asset type {other}"),
            };
            assert!(ctype.starts_with(want), "{name}: {ctype}");
        }
        assert!(asset("/static/nope.js").is_none());
        assert!(asset("/static/../pages.rs").is_none());
    }

    #[test]
    fn no_external_urls_anywhere() {
        // The SVG namespace is a name, not a location: nothing is fetched from it.
        const SVG_NS: &str = "http://www.w3.org/2000/svg";
        let all = ASSETS
            .iter()
            .map(|(n, _, b)| (n.to_string(), text(b)))
            .chain(LISTED.iter().map(|p| (p.to_string(), page(p).unwrap())));
        for (name, body) in all {
            let body = body.replace(SVG_NS, "");
            for scheme in ["http://", "https://", "//cdn", "@import", "url("] {
                assert!(!body.contains(scheme), "{name} contains {scheme}");
            }
        }
    }

    #[test]
    fn no_inline_script_style_or_handlers() {
        // The server's CSP (`default-src 'self'`) would block them.
        for p in LISTED {
            let html = page(p).unwrap().to_ascii_lowercase();
            assert!(!html.contains("<style"), "{p} has a <style> element");
            assert!(!html.contains(" style="), "{p} has a style attribute");
            assert!(
                !has_handler_attribute(&html),
                "{p} has an inline event handler"
            );
            assert!(!html.contains("javascript:"), "{p} has a javascript: URL");
            let mut rest = html.as_str();
            while let Some(i) = rest.find("<script") {
                let tag_end = rest[i..].find('>').unwrap() + i;
                assert!(
                    rest[i..tag_end].contains(" src=\"/static/"),
                    "{p}: inline script"
                );
                assert!(
                    rest[tag_end + 1..].starts_with("</script>"),
                    "{p}: script with a body"
                );
                rest = &rest[tag_end..];
            }
        }
    }

    #[test]
    fn scripts_never_parse_html_from_data() {
        for (name, _, bytes) in ASSETS.iter().filter(|(n, _, _)| n.ends_with(".js")) {
            let js = text(bytes);
            for sink in [
                "innerHTML",
                "outerHTML",
                "insertAdjacentHTML",
                "document.write",
                "eval(",
            ] {
                assert!(!js.contains(sink), "{name} uses {sink}");
            }
        }
    }

    #[test]
    fn every_page_but_login_has_the_same_nav_bar() {
        let nav = |html: &'static str| {
            let start = html.find("<nav").expect("nav");
            let end = html.find("</nav>").expect("nav end");
            &html[start..end]
        };
        let first = nav(page("/").unwrap());
        for label in [
            "Dashboard",
            "Rules",
            "Dev hosts",
            "Teams",
            "Event audit",
            "Config audit",
            "Config",
            "Logout",
        ] {
            assert!(first.contains(&format!(">{label}<")), "nav lacks {label}");
        }
        assert!(first.contains("<form method=\"post\" action=\"/logout\">"));
        for p in LISTED.iter().filter(|p| **p != "/login") {
            assert_eq!(nav(page(p).unwrap()), first, "{p} has a different nav bar");
        }
        assert!(!page("/login").unwrap().contains("<nav"));
    }

    #[test]
    fn login_form_matches_the_server_contract() {
        let html = page("/login").unwrap();
        for want in [
            "<form method=\"post\" action=\"/login\"",
            "type=\"password\" name=\"api_key\" id=\"api-key\"",
            "id=\"login-submit\"",
        ] {
            assert!(html.contains(want), "login page lacks {want}");
        }
    }

    #[test]
    fn the_ids_the_browser_test_uses_exist() {
        let has = |p: &str, ids: &[&str]| {
            let html = page(p).unwrap();
            for id in ids {
                assert!(html.contains(&format!("id=\"{id}\"")), "{p} lacks #{id}");
            }
        };
        has("/", &["current-rate", "avg-15m", "avg-1h", "rate-chart"]);
        has(
            "/rules",
            &[
                "rule-form",
                "rule-match-string",
                "rule-match-type",
                "rule-priority",
                "rule-prod-handling",
                "rule-dev-handling",
                "rule-team",
                "rule-severity",
                "rule-trap-oid",
                "rule-reason",
                "rule-submit",
                "rules-table",
                "rule-message",
            ],
        );
        has("/audit", &["config-audit-table"]);
    }
}
