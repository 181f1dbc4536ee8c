//! Method + path-template routing.

use std::sync::Arc;

use super::request::{percent_decode, Request};
use super::response::Response;

/// A request handler shared across worker threads.
pub type Handler = Arc<dyn Fn(&Request) -> Response + Send + Sync>;

/// Route label used for requests that matched no template, so raw paths never become labels.
pub(crate) const UNMATCHED_ROUTE: &str = "unmatched";

#[derive(Clone, PartialEq, Eq)]
enum Segment {
    Literal(&'static str),
    Param(&'static str),
}

#[derive(Clone)]
struct Route {
    method: String,
    template: &'static str,
    segments: Vec<Segment>,
    handler: Handler,
}

impl Route {
    /// Splitting on every `/` (no collapsing) keeps `//ingest` distinct from `/ingest`:
    /// the empty segments must match exactly.
    fn match_path(&self, path_segments: &[&str]) -> Option<Vec<(&'static str, String)>> {
        if self.segments.len() != path_segments.len() {
            return None;
        }
        let mut params = Vec::new();
        for (segment, actual) in self.segments.iter().zip(path_segments) {
            match segment {
                Segment::Literal(lit) if lit == actual => {}
                Segment::Param(name) if !actual.is_empty() => {
                    params.push((*name, percent_decode(actual)));
                }
                _ => return None,
            }
        }
        Some(params)
    }

    fn literal_count(&self) -> usize {
        self.segments
            .iter()
            .filter(|s| matches!(s, Segment::Literal(_)))
            .count()
    }
}

/// Result of routing one request, decided before its body is read.
pub(crate) enum RouteMatch {
    /// A handler matched; carries the template and decoded path parameters.
    Found {
        template: &'static str,
        params: Vec<(&'static str, String)>,
        handler: Handler,
    },
    /// The path matched some template, but not with this method.
    MethodNotAllowed {
        template: &'static str,
        allow: String,
    },
    /// No template matched the path.
    NotFound,
}

/// Dispatch table from (method, path template) to handler.
/// A step applied to every response the router produces (404/405 included), e.g. headers.
pub type Finisher = Arc<dyn Fn(&Request, &mut Response) + Send + Sync>;

#[derive(Clone, Default)]
pub struct Router {
    routes: Vec<Route>,
    finishers: Vec<Finisher>,
}

impl std::fmt::Debug for Router {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let routes: Vec<String> = self
            .routes
            .iter()
            .map(|r| format!("{} {}", r.method, r.template))
            .collect();
        f.debug_struct("Router").field("routes", &routes).finish()
    }
}

impl Router {
    /// Creates an empty router.
    pub fn new() -> Router {
        Router::default()
    }

    /// Registers `handler` for `method` and a template of literal and `:name` segments.
    pub fn route(
        mut self,
        method: &str,
        template: &'static str,
        handler: impl Fn(&Request) -> Response + Send + Sync + 'static,
    ) -> Router {
        let segments = template
            .split('/')
            .map(|seg| match seg.strip_prefix(':') {
                Some(name) if !name.is_empty() => Segment::Param(name),
                _ => Segment::Literal(seg),
            })
            .collect();
        self.routes.push(Route {
            method: method.to_ascii_uppercase(),
            template,
            segments,
            handler: Arc::new(handler),
        });
        self
    }

    /// Registers a `GET` route.
    pub fn get(
        self,
        template: &'static str,
        handler: impl Fn(&Request) -> Response + Send + Sync + 'static,
    ) -> Router {
        self.route("GET", template, handler)
    }

    /// Registers a `POST` route.
    pub fn post(
        self,
        template: &'static str,
        handler: impl Fn(&Request) -> Response + Send + Sync + 'static,
    ) -> Router {
        self.route("POST", template, handler)
    }

    /// Registers a `PUT` route.
    pub fn put(
        self,
        template: &'static str,
        handler: impl Fn(&Request) -> Response + Send + Sync + 'static,
    ) -> Router {
        self.route("PUT", template, handler)
    }

    /// Registers a `DELETE` route.
    pub fn delete(
        self,
        template: &'static str,
        handler: impl Fn(&Request) -> Response + Send + Sync + 'static,
    ) -> Router {
        self.route("DELETE", template, handler)
    }

    /// Adds a step run on every response after routing, in registration order.
    pub fn finish_with(
        mut self,
        finisher: impl Fn(&Request, &mut Response) + Send + Sync + 'static,
    ) -> Router {
        self.finishers.push(Arc::new(finisher));
        self
    }

    /// Routes a request and runs its handler, producing 404/405 envelopes itself.
    ///
    /// Handler panics are not caught here; the server does that.
    pub fn handle(&self, request: &mut Request) -> Response {
        let mut response = self.dispatch(request);
        self.apply_finishers(request, &mut response);
        response
    }

    /// Run the finishing steps on a response (the server calls this for the responses it
    /// produces itself too: 413, 431, body timeouts).
    pub(crate) fn apply_finishers(&self, request: &Request, response: &mut Response) {
        for finish in &self.finishers {
            finish(request, response);
        }
    }

    fn dispatch(&self, request: &mut Request) -> Response {
        match self.resolve(&request.method, &request.path) {
            RouteMatch::Found {
                template,
                params,
                handler,
            } => {
                request.set_route(template, params);
                handler(request)
            }
            RouteMatch::MethodNotAllowed { template, allow } => {
                request.set_route(template, Vec::new());
                method_not_allowed(&request.correlation_id, &allow)
            }
            RouteMatch::NotFound => {
                request.set_route(UNMATCHED_ROUTE, Vec::new());
                not_found(&request.correlation_id)
            }
        }
    }

    pub(crate) fn resolve(&self, method: &str, path: &str) -> RouteMatch {
        let path_segments: Vec<&str> = path.split('/').collect();
        // Among matching templates the one with the most literal segments wins, so
        // `/rules/active` beats `/rules/:id`; ties go to the earliest registration.
        let mut best: Option<(&Route, Vec<(&'static str, String)>)> = None;
        let mut best_any_method: Option<&Route> = None;
        let mut allowed: Vec<&str> = Vec::new();
        for route in &self.routes {
            let Some(params) = route.match_path(&path_segments) else {
                continue;
            };
            if !allowed.contains(&route.method.as_str()) {
                allowed.push(&route.method);
            }
            if best_any_method.is_none_or(|b| route.literal_count() > b.literal_count()) {
                best_any_method = Some(route);
            }
            if route.method == method
                && best
                    .as_ref()
                    .is_none_or(|(b, _)| route.literal_count() > b.literal_count())
            {
                best = Some((route, params));
            }
        }
        match (best, best_any_method) {
            (Some((route, params)), _) => RouteMatch::Found {
                template: route.template,
                params,
                handler: Arc::clone(&route.handler),
            },
            (None, Some(route)) => {
                allowed.sort_unstable();
                RouteMatch::MethodNotAllowed {
                    template: route.template,
                    allow: allowed.join(", "),
                }
            }
            (None, None) => RouteMatch::NotFound,
        }
    }
}

pub(crate) fn not_found(correlation_id: &str) -> Response {
    Response::error(404, "not found", correlation_id)
}

pub(crate) fn method_not_allowed(correlation_id: &str, allow: &str) -> Response {
    Response::error(405, "method not allowed", correlation_id).with_header("Allow", allow)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &'static str) -> impl Fn(&Request) -> Response + Send + Sync + 'static {
        move |req: &Request| {
            let id = req.param("id").unwrap_or("-");
            Response::text(200, "text/plain", format!("{name}:{id}"))
        }
    }

    fn body_of(router: &Router, method: &str, target: &str) -> (u16, String) {
        let mut req = Request::new(method, target);
        let resp = router.handle(&mut req);
        (
            resp.status,
            String::from_utf8_lossy(&resp.body).into_owned(),
        )
    }

    #[test]
    fn finishers_run_on_every_response_including_404_and_405() {
        let router = Router::new()
            .get("/a", named("a"))
            .finish_with(|req, resp| resp.set_header("X-Seen", &req.path));
        for (method, target, status) in
            [("GET", "/a", 200), ("GET", "/b", 404), ("POST", "/a", 405)]
        {
            let mut req = Request::new(method, target);
            let resp = router.handle(&mut req);
            assert_eq!(resp.status, status);
            assert_eq!(resp.header("X-Seen"), Some(target), "{method} {target}");
        }
    }

    #[test]
    fn literal_beats_param_regardless_of_order() {
        let router = Router::new()
            .get("/rules/:id", named("param"))
            .get("/rules/active", named("literal"));
        assert_eq!(body_of(&router, "GET", "/rules/active").1, "literal:-");
        assert_eq!(body_of(&router, "GET", "/rules/7").1, "param:7");
        assert_eq!(body_of(&router, "GET", "/rules/a%20b").1, "param:a b");
        assert_eq!(body_of(&router, "GET", "/rules/").0, 404);
    }

    #[test]
    fn double_slash_is_not_collapsed() {
        let router = Router::new().post("//ingest", named("double"));
        assert_eq!(body_of(&router, "POST", "//ingest").0, 200);
        assert_eq!(body_of(&router, "POST", "/ingest").0, 404);
        assert_eq!(body_of(&router, "POST", "///ingest").0, 404);
    }

    #[test]
    fn allow_lists_all_methods_sorted() {
        let router = Router::new()
            .put("/a/:id", named("put"))
            .get("/a/:id", named("get"))
            .delete("/a/x", named("del"));
        match router.resolve("POST", "/a/x") {
            RouteMatch::MethodNotAllowed { template, allow } => {
                assert_eq!(allow, "DELETE, GET, PUT");
                assert_eq!(template, "/a/x");
            }
            _ => panic!("expected 405"),
        }
    }
}
