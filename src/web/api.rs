//! The REST API routes, the login flow and the page routes.
//!
//! Every API route answers on `/api/v1/<path>` and `/api/v2/<path>` with identical JSON; only
//! the version headers differ. Authentication: `X-API-KEY` (or, deprecated, `?api_key=`), or the
//! session cookie of the pages plus `X-CSRF-Token` on writes. Writes need the `admin` scope.

use super::auth::{Principal, Scope};
use super::{pages, rates, session_cookie, Web};
use crate::admin::audit::{self, ConfigAuditFilter, Cursor, EventAuditFilter, Operation};
use crate::admin::{config, hosts, rules, silences, teams, Actor, AdminError};
use crate::http::version;
use crate::http::{Request, Response, Router};
use crate::settings::registry;
use crate::snapshot;
use crate::store::redis::keys::Consumer;
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// Name of the login session cookie.
pub const SESSION_COOKIE: &str = "mutt_session";
/// Header the pages send with every write (the session's CSRF token).
pub const CSRF_HEADER: &str = "X-CSRF-Token";
/// Header of a change reason (for DELETE, which has no body in many clients).
pub const REASON_HEADER: &str = "X-Change-Reason";
/// The HTML pages, each behind the login.
pub const PAGES: [&str; 8] = [
    "/",
    "/rules",
    "/dev-hosts",
    "/teams",
    "/silences",
    "/audit-logs",
    "/audit",
    "/config",
];
const CSP: &str = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// A handler's failure, rendered as the JSON error envelope.
#[derive(Debug)]
pub struct ApiError {
    status: u16,
    message: String,
    field: Option<String>,
}

impl ApiError {
    fn new(status: u16, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            field: None,
        }
    }

    fn invalid(field: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status: 400,
            message: message.into(),
            field: Some(field.to_string()),
        }
    }

    fn render(&self, correlation_id: &str) -> Response {
        let mut body = json!({"error": self.message, "correlation_id": correlation_id});
        if let Some(f) = &self.field {
            body["field"] = json!(f);
        }
        Response::json(self.status, &body)
    }
}

impl From<AdminError> for ApiError {
    fn from(e: AdminError) -> Self {
        if matches!(e, AdminError::Db(_) | AdminError::Redis(_)) {
            log::error!("store error: {e}");
        }
        let field = match &e {
            AdminError::Invalid { field, .. } => Some(field.clone()),
            _ => None,
        };
        ApiError {
            status: e.status(),
            message: e.public_message(),
            field,
        }
    }
}

impl From<r2d2::Error> for ApiError {
    fn from(e: r2d2::Error) -> Self {
        log::error!("no store connection: {e}");
        ApiError::new(503, "store unavailable, try again")
    }
}

impl From<redis::RedisError> for ApiError {
    fn from(e: redis::RedisError) -> Self {
        log::error!("Redis error: {e}");
        ApiError::new(503, "Redis unavailable")
    }
}

type ApiResult = Result<Response, ApiError>;

type ApiFn = dyn Fn(&Web, &Request, &Principal) -> ApiResult + Send + Sync;

/// Register `handler` on `/api/v1{suffix}` and `/api/v2{suffix}`.
fn both(
    mut router: Router,
    web: &Arc<Web>,
    method: &str,
    suffix: &str,
    scope: Scope,
    handler: Arc<ApiFn>,
) -> Router {
    for v in ["v1", "v2"] {
        // Route templates are 'static; these few strings live as long as the process anyway.
        let template: &'static str = Box::leak(format!("/api/{v}{suffix}").into_boxed_str());
        let web = Arc::clone(web);
        let handler = Arc::clone(&handler);
        router = router.route(method, template, move |req| {
            match web.authenticate(req, scope) {
                Ok(p) => handler(&web, req, &p),
                Err(e) => Err(e),
            }
            .unwrap_or_else(|e| e.render(&req.correlation_id))
        });
    }
    router
}

/// All routes of the web service except health and metrics.
pub fn routes(web: Arc<Web>) -> Router {
    use Scope::{Admin, Read};
    let mut r = Router::new();
    let table: Vec<(&str, &str, Scope, Arc<ApiFn>)> = vec![
        ("GET", "/metrics", Read, Arc::new(ingest_rates)),
        ("GET", "/overview", Read, Arc::new(overview)),
        ("GET", "/slo", Read, Arc::new(slo_report)),
        ("GET", "/config", Read, Arc::new(config_list)),
        ("GET", "/config/history", Read, Arc::new(config_history)),
        ("GET", "/config/:key", Read, Arc::new(config_get)),
        ("PUT", "/config/:key", Admin, Arc::new(config_put)),
        ("DELETE", "/config/:key", Admin, Arc::new(config_delete)),
        ("GET", "/rules", Read, Arc::new(rules_list)),
        ("POST", "/rules", Admin, Arc::new(rules_create)),
        ("POST", "/rules/test", Read, Arc::new(rules_test)),
        ("GET", "/rules/:id", Read, Arc::new(rules_get)),
        ("PUT", "/rules/:id", Admin, Arc::new(rules_update)),
        ("DELETE", "/rules/:id", Admin, Arc::new(rules_delete)),
        (
            "GET",
            "/audit",
            Read,
            Arc::new(|w, q, _| config_audit(w, q, "logs")),
        ),
        (
            "GET",
            "/config-audit",
            Read,
            Arc::new(|w, q, _| config_audit(w, q, "changes")),
        ),
        ("GET", "/audit-logs", Read, Arc::new(event_audit)),
        ("GET", "/dev-hosts", Read, Arc::new(hosts_list)),
        ("POST", "/dev-hosts", Admin, Arc::new(hosts_create)),
        ("GET", "/dev-hosts/:hostname", Read, Arc::new(hosts_get)),
        ("PUT", "/dev-hosts/:hostname", Admin, Arc::new(hosts_put)),
        (
            "DELETE",
            "/dev-hosts/:hostname",
            Admin,
            Arc::new(hosts_delete),
        ),
        ("GET", "/teams", Read, Arc::new(teams_list)),
        ("POST", "/teams", Admin, Arc::new(teams_create)),
        ("GET", "/teams/:hostname", Read, Arc::new(teams_get)),
        ("PUT", "/teams/:hostname", Admin, Arc::new(teams_put)),
        ("DELETE", "/teams/:hostname", Admin, Arc::new(teams_delete)),
        ("GET", "/silences", Read, Arc::new(silences_list)),
        ("POST", "/silences", Admin, Arc::new(silences_create)),
        ("GET", "/silences/:id", Read, Arc::new(silences_get)),
        ("DELETE", "/silences/:id", Admin, Arc::new(silences_expire)),
    ];
    for (method, suffix, scope, handler) in table {
        r = both(r, &web, method, suffix, scope, handler);
    }
    for v in ["v1", "v2"] {
        let template: &'static str = Box::leak(format!("/api/{v}/version").into_boxed_str());
        r = r.get(template, |_| Response::json(200, &version::version_body()));
    }

    let w = Arc::clone(&web);
    r = r.get("/session", move |req| {
        w.authenticate(req, Scope::Read)
            .map(|p| {
                let csrf = session_cookie(req)
                    .and_then(|id| w.sessions.lookup(&id, &w.api_keys))
                    .map(|s| s.csrf_token);
                Response::json(
                    200,
                    &json!({"name": p.name, "scope": p.scope, "csrf_token": csrf}),
                )
            })
            .unwrap_or_else(|e| e.render(&req.correlation_id))
    });
    r = r.get("/login", |_| {
        html(pages::page("/login").unwrap_or_default())
    });
    let w = Arc::clone(&web);
    r = r.post("/login", move |req| w.login(req));
    let w = Arc::clone(&web);
    r = r.post("/logout", move |req| {
        if let Some(id) = session_cookie(req) {
            w.sessions.remove(&id);
        }
        redirect("/login").with_header(
            "Set-Cookie",
            &format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
        )
    });
    for page in PAGES {
        let w = Arc::clone(&web);
        r = r.get(page, move |req| {
            let logged_in = session_cookie(req)
                .and_then(|id| w.sessions.lookup(&id, &w.api_keys))
                .is_some();
            match (logged_in, pages::page(page)) {
                (true, Some(body)) => html(body),
                (false, _) => redirect("/login"),
                (true, None) => Response::error(404, "Not Found", &req.correlation_id),
            }
        });
    }
    r = r.get("/static/:file", |req| match pages::asset(&req.path) {
        Some((content_type, body)) => Response::text(200, content_type, body.to_vec())
            .with_header("Cache-Control", "public, max-age=300"),
        None => Response::error(404, "Not Found", &req.correlation_id),
    });
    let w = Arc::clone(&web);
    r.finish_with(move |req, resp| w.finish(req, resp))
}

fn html(body: &str) -> Response {
    Response::text(200, "text/html; charset=utf-8", body.as_bytes().to_vec())
}

fn redirect(to: &str) -> Response {
    Response::text(303, "text/plain; charset=utf-8", Vec::new()).with_header("Location", to)
}

impl Web {
    /// Who is calling, and whether they may use a route needing `scope`.
    fn authenticate(&self, req: &Request, scope: Scope) -> Result<Principal, ApiError> {
        let principal = if let Some(key) = req.header("X-API-KEY").filter(|k| !k.is_empty()) {
            self.api_keys.check(Some(key))
        } else if let Some(key) = req.query("api_key").filter(|k| !k.is_empty()) {
            log::warn!(
                "API key sent in the query string (deprecated; it leaks into logs and history): use the X-API-KEY header"
            );
            self.api_keys.check(Some(&key))
        } else if let Some(id) = session_cookie(req) {
            let session = self.sessions.lookup(&id, &self.api_keys);
            match session {
                Some(s) if req.method == "GET" || req.method == "HEAD" => Some(s.principal),
                Some(s) => {
                    let sent = req.header(CSRF_HEADER).unwrap_or("");
                    let ok: bool =
                        subtle::ConstantTimeEq::ct_eq(sent.as_bytes(), s.csrf_token.as_bytes())
                            .into();
                    if !ok {
                        return Err(ApiError::new(
                            403,
                            format!("missing or wrong {CSRF_HEADER} header"),
                        ));
                    }
                    Some(s.principal)
                }
                None => None,
            }
        } else {
            None
        };
        let Some(p) = principal else {
            log::warn!(
                "unauthorized {} {} from {}",
                req.method,
                req.path,
                req.remote_addr
                    .map(|a| a.ip().to_string())
                    .unwrap_or_default()
            );
            return Err(ApiError::new(401, "Unauthorized"));
        };
        if p.scope < scope {
            return Err(ApiError::new(
                403,
                format!("key {:?} has read scope; this needs admin scope", p.name),
            ));
        }
        Ok(p)
    }

    fn login(&self, req: &Request) -> Response {
        let ip = req.remote_addr.map(|a| a.ip());
        if !self.logins.allowed(ip) {
            return Response::error(
                429,
                "too many failed logins; try again in a minute",
                &req.correlation_id,
            )
            .with_header("Retry-After", "60");
        }
        let key = url::form_urlencoded::parse(&req.body)
            .find(|(k, _)| k == "api_key")
            .map(|(_, v)| v.into_owned());
        match self.api_keys.check(key.as_deref()) {
            Some(principal) => {
                log::info!("web login by key {:?}", principal.name);
                let id = self.sessions.create(principal);
                // Over HTTPS the browser must never send the session back in clear text.
                let secure = if self
                    .settings
                    .opt_text(&registry::WEBUI_TLS_CERT_PATH)
                    .is_some_and(|v| !v.trim().is_empty())
                {
                    "; Secure"
                } else {
                    ""
                };
                redirect("/").with_header(
                    "Set-Cookie",
                    &format!(
                        "{SESSION_COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
                        self.sessions.ttl().as_secs()
                    ),
                )
            }
            None => {
                self.logins.failed(ip);
                log::warn!(
                    "failed web login from {}",
                    ip.map(|i| i.to_string()).unwrap_or_default()
                );
                redirect("/login?error=1")
            }
        }
    }

    /// Headers every response gets; version headers and the request counter on API paths.
    fn finish(&self, req: &Request, resp: &mut Response) {
        resp.set_header("X-Content-Type-Options", "nosniff");
        resp.set_header("X-Frame-Options", "DENY");
        resp.set_header("Referrer-Policy", "no-referrer");
        resp.set_header("Content-Security-Policy", CSP);
        if resp.header("Cache-Control").is_none() {
            resp.set_header("Cache-Control", "no-store");
        }
        if req.path.starts_with("/api/") {
            let negotiated = version::negotiate(
                req.header("Accept-Version"),
                req.header("X-API-Version"),
                req.query("api_version").as_deref(),
            );
            for (name, value) in version::headers(&req.path, negotiated) {
                resp.set_header(name, &value);
            }
            let endpoint = req
                .route
                .strip_prefix("/api/v1")
                .or_else(|| req.route.strip_prefix("/api/v2"))
                .unwrap_or("unmatched");
            let status = match resp.status {
                s if s < 400 => "success",
                s if s < 500 => "client_error",
                _ => "fail",
            };
            self.api_requests
                .with_label_values(&[endpoint, status])
                .inc();
        }
    }

    fn db(
        &self,
    ) -> Result<r2d2::PooledConnection<crate::store::postgres::pool::PgManager>, ApiError> {
        Ok(self.pg.get()?)
    }
}

fn ok(value: &impl serde::Serialize) -> ApiResult {
    Ok(Response::json(200, value))
}

fn body_object(req: &Request) -> Result<Map<String, Value>, ApiError> {
    let v: Value = req
        .json()
        .map_err(|_| ApiError::invalid("body", "request body must be a JSON object"))?;
    match v {
        Value::Object(o) => Ok(o),
        _ => Err(ApiError::invalid(
            "body",
            "request body must be a JSON object",
        )),
    }
}

/// The body object, or an empty one when there is no body (DELETE).
fn optional_body(req: &Request) -> Result<Map<String, Value>, ApiError> {
    if req.body.iter().all(u8::is_ascii_whitespace) {
        Ok(Map::new())
    } else {
        body_object(req)
    }
}

/// The change reason: body `reason`, else `?reason=`, else the `X-Change-Reason` header.
fn reason(req: &Request, body: &Map<String, Value>) -> Result<Option<String>, ApiError> {
    match body.get("reason") {
        Some(Value::String(s)) => return Ok(Some(s.clone())),
        Some(Value::Null) | None => {}
        Some(_) => return Err(ApiError::invalid("reason", "reason must be a string")),
    }
    Ok(req
        .query("reason")
        .or_else(|| req.header(REASON_HEADER).map(str::to_string)))
}

/// Whether a write needs a JSON body.
enum Body {
    Required,
    /// DELETE and idempotent PUTs: a reason at most.
    Optional,
}

/// What every write handler starts from: the body, the reason, who writes, and a connection.
struct Write {
    body: Map<String, Value>,
    reason: Option<String>,
    actor: Actor,
    db: r2d2::PooledConnection<crate::store::postgres::pool::PgManager>,
}

impl Write {
    fn begin(web: &Web, req: &Request, p: &Principal, body: Body) -> Result<Write, ApiError> {
        let body = match body {
            Body::Required => body_object(req)?,
            Body::Optional => optional_body(req)?,
        };
        Ok(Write {
            reason: reason(req, &body)?,
            body,
            actor: Actor::api(&p.name, &req.correlation_id),
            db: web.db()?,
        })
    }
}

fn int_query(req: &Request, name: &str, default: i64, min: i64, max: i64) -> Result<i64, ApiError> {
    match req.query(name).filter(|v| !v.trim().is_empty()) {
        None => Ok(default),
        Some(v) => match v.trim().parse::<i64>() {
            // v2.5 clamped out-of-range page sizes rather than refusing them.
            Ok(n) => Ok(n.clamp(min, max)),
            Err(_) => Err(ApiError::invalid(
                name,
                format!("{name} must be an integer"),
            )),
        },
    }
}

fn text_query(req: &Request, name: &str) -> Option<String> {
    req.query(name)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn time_query(
    req: &Request,
    name: &str,
    end_of_day: bool,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, ApiError> {
    text_query(req, name)
        .map(|t| audit::parse_time(name, &t, end_of_day))
        .transpose()
        .map_err(ApiError::from)
}

fn rule_id(req: &Request) -> Result<i32, ApiError> {
    req.param("id")
        .and_then(|s| s.parse::<i32>().ok())
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::invalid("id", "rule id must be a positive integer"))
}

fn hostname_param(req: &Request) -> String {
    req.param("hostname").unwrap_or("").to_string()
}

// ---- metrics, overview, SLO ----

fn ingest_rates(web: &Web, _req: &Request, _p: &Principal) -> ApiResult {
    let now = chrono::Utc::now();
    let rates = web.rates.get(|| -> Result<_, ApiError> {
        let mut conn = web.redis.get()?;
        Ok(rates::read(&mut conn, &web.keys, now)?)
    })?;
    ok(&rates.value)
}

fn overview(web: &Web, _req: &Request, _p: &Principal) -> ApiResult {
    // The Redis connection goes back to the pool before PostgreSQL is asked.
    let now = chrono::Utc::now();
    let (state, held) = {
        let mut conn = web.redis.get()?;
        let state = snapshot::read_redis(&mut conn, &web.keys)?;
        (state, snapshot::read_held(&mut conn, &web.keys, now)?)
    };
    let mut db = web.db()?;
    let rules = snapshot::read_rules(&mut db).map_err(AdminError::from)?;
    let silences = snapshot::silences_in_force(
        snapshot::read_silences(&mut db).map_err(AdminError::from)?,
        &held,
        now,
    );
    let mut processing = Map::new();
    for c in Consumer::ALL {
        processing.insert(c.name().into(), json!(state.processing_total(c)));
    }
    let (q, d) = (&state.queues, &state.dlq);
    ok(&json!({
        "queues": {"ingest": q.ingest, "alert": q.alert, "retry": q.retry},
        "processing": processing,
        "dlq": {"alerter": d.alerter, "moog": d.moog, "dead": d.dead},
        "breaker": {"state": state.breaker.to_ascii_lowercase()},
        "rules": {"active": rules.active, "total": rules.total},
        "silences": silences,
    }))
}

fn slo_report(web: &Web, _req: &Request, _p: &Principal) -> ApiResult {
    let report = web.slo_cache.get(|| {
        web.slo
            .report(&|key: &str| web.dynamic.get(key), chrono::Utc::now())
    });
    ok(&report.value)
}

// ---- dynamic configuration ----

fn config_list(web: &Web, _req: &Request, _p: &Principal) -> ApiResult {
    let mut conn = web.redis.get()?;
    let entries = config::list(&mut conn, &web.keys, &web.settings)?;
    ok(&json!({"config": config::as_map(&entries), "keys": entries}))
}

fn config_get(web: &Web, req: &Request, _p: &Principal) -> ApiResult {
    let mut conn = web.redis.get()?;
    let key = req.param("key").unwrap_or("");
    ok(&config::get(&mut conn, &web.keys, &web.settings, key)?)
}

fn config_put(web: &Web, req: &Request, p: &Principal) -> ApiResult {
    let mut w = Write::begin(web, req, p, Body::Required)?;
    let Some(value) = w.body.get("value") else {
        return Err(ApiError::invalid(
            "value",
            "Missing 'value' in request body",
        ));
    };
    let force = matches!(req.query("force").as_deref(), Some("true" | "1" | "yes"));
    let key = req.param("key").unwrap_or("");
    let change = config::set(
        &mut w.db,
        &web.notifier,
        &w.actor,
        key,
        value,
        force,
        w.reason.as_deref(),
    )?;
    ok(&change)
}

fn config_delete(web: &Web, req: &Request, p: &Principal) -> ApiResult {
    let mut w = Write::begin(web, req, p, Body::Optional)?;
    let key = req.param("key").unwrap_or("");
    let change = config::delete(&mut w.db, &web.notifier, &w.actor, key, w.reason.as_deref())?;
    ok(&json!({
        "message": format!("Configuration deleted: {key}"),
        "key": change.key,
        "old_value": change.old_value,
    }))
}

fn config_history(web: &Web, req: &Request, _p: &Principal) -> ApiResult {
    let page = int_query(req, "page", 1, 1, i64::MAX / audit::MAX_LIMIT)?;
    let limit = int_query(req, "limit", audit::DEFAULT_LIMIT, 1, audit::MAX_LIMIT)?;
    let key = text_query(req, "key");
    let mut db = web.db()?;
    let (rows, pagination) = config::history(&mut db, key.as_deref(), page, limit)?;
    ok(&json!({"history": rows, "pagination": pagination}))
}

// ---- rules ----

fn rules_list(web: &Web, req: &Request, _p: &Principal) -> ApiResult {
    let active = match text_query(req, "active") {
        None => None,
        Some(v) => Some(
            crate::settings::parse_bool(&v)
                .ok_or_else(|| ApiError::invalid("active", "active must be true or false"))?,
        ),
    };
    let mut db = web.db()?;
    ok(&json!({"rules": rules::list(&mut db, active)?}))
}

fn rules_get(web: &Web, req: &Request, _p: &Principal) -> ApiResult {
    let id = rule_id(req)?;
    let mut db = web.db()?;
    ok(&rules::get(&mut db, id)?)
}

fn rules_create(web: &Web, req: &Request, p: &Principal) -> ApiResult {
    let mut w = Write::begin(web, req, p, Body::Required)?;
    let patch = rules::parse_patch(&w.body)?;
    let id = rules::create(
        &mut w.db,
        &web.notifier,
        &w.actor,
        &patch,
        w.reason.as_deref(),
    )?;
    Ok(Response::json(
        201,
        &json!({"id": id, "message": "Rule created successfully"}),
    ))
}

fn rules_update(web: &Web, req: &Request, p: &Principal) -> ApiResult {
    let id = rule_id(req)?;
    let mut w = Write::begin(web, req, p, Body::Required)?;
    let patch = rules::parse_patch(&w.body)?;
    let rule = rules::update(
        &mut w.db,
        &web.notifier,
        &w.actor,
        id,
        &patch,
        w.reason.as_deref(),
    )?;
    ok(&json!({"message": "Rule updated successfully", "rule": rule}))
}

fn rules_delete(web: &Web, req: &Request, p: &Principal) -> ApiResult {
    let id = rule_id(req)?;
    let mut w = Write::begin(web, req, p, Body::Optional)?;
    rules::delete(&mut w.db, &web.notifier, &w.actor, id, w.reason.as_deref())?;
    ok(&json!({"message": "Rule deleted successfully"}))
}

fn rules_test(web: &Web, req: &Request, _p: &Principal) -> ApiResult {
    let body = body_object(req)?;
    let event = body
        .get("event")
        .ok_or_else(|| ApiError::invalid("event", "Missing 'event' in request body"))?;
    let mut db = web.db()?;
    let explanation = rules::test_event(
        &mut db,
        web.settings.text(&registry::UNHANDLED_DEFAULT_TEAM),
        event,
    )?;
    ok(&json!({"explanation": explanation}))
}

// ---- audit ----

fn config_audit(web: &Web, req: &Request, list_name: &str) -> ApiResult {
    let filter = ConfigAuditFilter {
        changed_by: text_query(req, "changed_by"),
        operation: text_query(req, "operation")
            .map(|o| Operation::parse("operation", &o))
            .transpose()?,
        table_name: text_query(req, "table_name"),
        record_id: match text_query(req, "record_id") {
            None => None,
            Some(v) => Some(audit::parse_int("record_id", &v, 0, i32::MAX as i64)? as i32),
        },
        record_key: text_query(req, "record_key"),
        start: time_query(req, "start_date", false)?,
        end: time_query(req, "end_date", true)?,
        page: int_query(req, "page", 1, 1, i64::MAX / audit::MAX_LIMIT)?,
        limit: int_query(req, "limit", audit::DEFAULT_LIMIT, 1, audit::MAX_LIMIT)?,
    };
    let mut db = web.db()?;
    let (rows, pagination) = audit::query_config(&mut db, &filter)?;
    let mut body = Map::new();
    body.insert(list_name.into(), json!(rows));
    body.insert("pagination".into(), json!(pagination));
    ok(&body)
}

fn event_audit(web: &Web, req: &Request, _p: &Principal) -> ApiResult {
    let filter = EventAuditFilter {
        hostname: text_query(req, "hostname"),
        rule_id: match text_query(req, "rule_id") {
            None => None,
            Some(v) => Some(audit::parse_int("rule_id", &v, 0, i32::MAX as i64)? as i32),
        },
        start: time_query(req, "start_date", false)?,
        end: time_query(req, "end_date", true)?,
        limit: int_query(req, "limit", audit::DEFAULT_LIMIT, 1, audit::MAX_LIMIT)?,
        cursor: text_query(req, "cursor")
            .map(|c| Cursor::parse("cursor", &c))
            .transpose()?,
    };
    let mut db = web.db()?;
    let (rows, page) = audit::query_events(&mut db, &filter)?;
    ok(&json!({"logs": rows, "pagination": page}))
}

// ---- development hosts ----

fn hosts_list(web: &Web, _req: &Request, _p: &Principal) -> ApiResult {
    let mut db = web.db()?;
    ok(&json!({"hosts": hosts::list(&mut db)?}))
}

fn hosts_get(web: &Web, req: &Request, _p: &Principal) -> ApiResult {
    let mut db = web.db()?;
    ok(&hosts::get(&mut db, &hostname_param(req))?)
}

fn hosts_create(web: &Web, req: &Request, p: &Principal) -> ApiResult {
    let mut w = Write::begin(web, req, p, Body::Required)?;
    let host = w.body.get("hostname").and_then(Value::as_str).unwrap_or("");
    if host.trim().is_empty() {
        return Err(ApiError::invalid("hostname", "hostname is required"));
    }
    let added = hosts::add(
        &mut w.db,
        &web.notifier,
        &w.actor,
        host,
        w.reason.as_deref(),
    )?;
    Ok(Response::json(
        201,
        &json!({"message": "Dev host added successfully", "hostname": added.hostname}),
    ))
}

/// PUT is an idempotent add: 201 when created, 200 when it was already there.
fn hosts_put(web: &Web, req: &Request, p: &Principal) -> ApiResult {
    let mut w = Write::begin(web, req, p, Body::Optional)?;
    match hosts::add(
        &mut w.db,
        &web.notifier,
        &w.actor,
        &hostname_param(req),
        w.reason.as_deref(),
    ) {
        Ok(h) => Ok(Response::json(
            201,
            &json!({"message": "Dev host added successfully", "hostname": h.hostname}),
        )),
        Err(AdminError::Conflict(_)) => {
            let h = hosts::get(&mut w.db, &hostname_param(req))?;
            ok(&json!({"message": "Dev host already present", "hostname": h.hostname}))
        }
        Err(e) => Err(e.into()),
    }
}

fn hosts_delete(web: &Web, req: &Request, p: &Principal) -> ApiResult {
    let mut w = Write::begin(web, req, p, Body::Optional)?;
    hosts::delete(
        &mut w.db,
        &web.notifier,
        &w.actor,
        &hostname_param(req),
        w.reason.as_deref(),
    )?;
    ok(&json!({"message": "Dev host deleted successfully"}))
}

// ---- device teams ----

fn teams_list(web: &Web, _req: &Request, _p: &Principal) -> ApiResult {
    let mut db = web.db()?;
    ok(&json!({"teams": teams::list(&mut db)?}))
}

fn teams_get(web: &Web, req: &Request, _p: &Principal) -> ApiResult {
    let mut db = web.db()?;
    ok(&teams::get(&mut db, &hostname_param(req))?)
}

fn team_field(body: &Map<String, Value>) -> Result<String, ApiError> {
    match body.get("team_assignment") {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        _ => Err(ApiError::invalid(
            "team_assignment",
            "team_assignment is required",
        )),
    }
}

fn teams_create(web: &Web, req: &Request, p: &Principal) -> ApiResult {
    let mut w = Write::begin(web, req, p, Body::Required)?;
    let host = w.body.get("hostname").and_then(Value::as_str).unwrap_or("");
    if host.trim().is_empty() {
        return Err(ApiError::invalid(
            "hostname",
            "hostname and team_assignment are required",
        ));
    }
    let team = team_field(&w.body)?;
    let (m, _) = teams::set(
        &mut w.db,
        &web.notifier,
        &w.actor,
        host,
        &team,
        teams::SetMode::Create,
        w.reason.as_deref(),
    )?;
    Ok(Response::json(
        201,
        &json!({"message": "Team mapping added successfully", "hostname": m.hostname, "team_assignment": m.team_assignment}),
    ))
}

fn teams_put(web: &Web, req: &Request, p: &Principal) -> ApiResult {
    let mut w = Write::begin(web, req, p, Body::Required)?;
    let team = team_field(&w.body)?;
    let (m, _) = teams::set(
        &mut w.db,
        &web.notifier,
        &w.actor,
        &hostname_param(req),
        &team,
        teams::SetMode::Update,
        w.reason.as_deref(),
    )?;
    ok(
        &json!({"message": "Team mapping updated successfully", "hostname": m.hostname, "team_assignment": m.team_assignment}),
    )
}

fn teams_delete(web: &Web, req: &Request, p: &Principal) -> ApiResult {
    let mut w = Write::begin(web, req, p, Body::Optional)?;
    teams::delete(
        &mut w.db,
        &web.notifier,
        &w.actor,
        &hostname_param(req),
        w.reason.as_deref(),
    )?;
    ok(&json!({"message": "Team mapping deleted successfully"}))
}

// ---- silences ----

fn silence_id(req: &Request) -> Result<i32, ApiError> {
    req.param("id")
        .and_then(|s| s.parse::<i32>().ok())
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::invalid("id", "silence id must be a positive integer"))
}

fn silences_list(web: &Web, req: &Request, _p: &Principal) -> ApiResult {
    let expired = match req.query("expired").as_deref() {
        None | Some("") | Some("false") | Some("0") => false,
        Some("true") | Some("1") => true,
        Some(_) => {
            return Err(ApiError::invalid(
                "expired",
                "expired must be true or false",
            ))
        }
    };
    let mut db = web.db()?;
    ok(&json!({"silences": silences::list(&mut db, expired)?}))
}

fn silences_get(web: &Web, req: &Request, _p: &Principal) -> ApiResult {
    let id = silence_id(req)?;
    let mut db = web.db()?;
    ok(&json!({"silence": silences::get(&mut db, id)?}))
}

fn silences_create(web: &Web, req: &Request, p: &Principal) -> ApiResult {
    let mut w = Write::begin(web, req, p, Body::Required)?;
    // The comment is the silence's reason: a `reason` field stands in for a missing comment.
    let mut body = std::mem::take(&mut w.body);
    if let Some(reason) = body.remove("reason") {
        if body.get("comment").is_none_or(Value::is_null) {
            body.insert("comment".into(), reason);
        }
    }
    let new = silences::parse_new(&body)?;
    let created = silences::create(&mut w.db, &web.notifier, &w.actor, &new)?;
    Ok(Response::json(201, &json!({"silence": created})))
}

fn silences_expire(web: &Web, req: &Request, p: &Principal) -> ApiResult {
    let id = silence_id(req)?;
    let mut w = Write::begin(web, req, p, Body::Optional)?;
    let gone = silences::expire(&mut w.db, &web.notifier, &w.actor, id, w.reason.as_deref())?;
    ok(&json!({"silence": gone}))
}
