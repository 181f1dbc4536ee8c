//! Alert rules: validation in the application (the database's CHECKs are the last line, not the
//! first), writes audited in the same transaction, import and export.

use super::audit::{self, Change, Operation};
use super::{Actor, AdminError, Notifier};
use crate::rules as engine;
use crate::wire::rule::{MatchType, Rule};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The audit `table_name` and change notice of rules.
pub const TABLE: &str = "alert_rules";
/// Longest `match_string` / `trap_oid` (`VARCHAR(255)`).
pub const MATCH_MAX: usize = 255;
/// Longest handling / team value (`VARCHAR(100)`).
pub const HANDLING_MAX: usize = 100;
/// Priority of a rule that gives none (v2.5 default).
pub const DEFAULT_PRIORITY: i32 = 100;

/// The rule fields a client may set, in v2.5's order.
pub const FIELDS: [&str; 9] = [
    "match_string",
    "trap_oid",
    "syslog_severity",
    "match_type",
    "priority",
    "prod_handling",
    "dev_handling",
    "team_assignment",
    "is_active",
];

/// One `alert_rules` row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleRow {
    /// Primary key.
    pub id: i32,
    /// Text or pattern.
    pub match_string: Option<String>,
    /// Trap OID (prefix).
    pub trap_oid: Option<String>,
    /// Severity condition 0–7.
    pub syslog_severity: Option<i32>,
    /// `contains`, `regex` or `oid_prefix`.
    pub match_type: String,
    /// Lower wins.
    pub priority: i32,
    /// Handling for production hosts.
    pub prod_handling: String,
    /// Handling for development hosts.
    pub dev_handling: String,
    /// Team of the alert.
    pub team_assignment: String,
    /// Inactive rules are kept but never matched.
    pub is_active: bool,
}

impl RuleRow {
    /// The nine rule fields as a JSON object (what audit rows hold).
    pub fn fields(&self) -> Value {
        let mut v = serde_json::to_value(self).unwrap_or(Value::Null);
        if let Some(o) = v.as_object_mut() {
            o.remove("id");
        }
        v
    }

    /// The rule as the engine sees it.
    pub fn to_engine(&self) -> Option<Rule> {
        Some(Rule {
            id: self.id,
            match_string: self.match_string.clone(),
            trap_oid: self.trap_oid.clone(),
            syslog_severity: self.syslog_severity,
            match_type: MatchType::parse(&self.match_type)?,
            priority: self.priority,
            prod_handling: self.prod_handling.clone(),
            dev_handling: self.dev_handling.clone(),
            team_assignment: self.team_assignment.clone(),
        })
    }
}

/// A validated subset of rule fields (a whole new rule, or the fields of an update). `Some(None)`
/// clears a nullable field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RulePatch {
    /// `match_string`.
    pub match_string: Option<Option<String>>,
    /// `trap_oid`.
    pub trap_oid: Option<Option<String>>,
    /// `syslog_severity`.
    pub syslog_severity: Option<Option<i32>>,
    /// `match_type`.
    pub match_type: Option<MatchType>,
    /// `priority`.
    pub priority: Option<i32>,
    /// `prod_handling`.
    pub prod_handling: Option<String>,
    /// `dev_handling`.
    pub dev_handling: Option<String>,
    /// `team_assignment`.
    pub team_assignment: Option<String>,
    /// `is_active`.
    pub is_active: Option<bool>,
}

impl RulePatch {
    /// Whether no field is set.
    pub fn is_empty(&self) -> bool {
        *self == RulePatch::default()
    }

    /// Apply onto `base` (a new rule starts from [`blank_rule`]); public for the fuzz targets.
    pub fn apply(&self, base: &RuleRow) -> RuleRow {
        let mut r = base.clone();
        if let Some(v) = &self.match_string {
            r.match_string = v.clone();
        }
        if let Some(v) = &self.trap_oid {
            r.trap_oid = v.clone();
        }
        if let Some(v) = self.syslog_severity {
            r.syslog_severity = v;
        }
        if let Some(v) = self.match_type {
            r.match_type = v.as_str().to_string();
        }
        if let Some(v) = self.priority {
            r.priority = v;
        }
        if let Some(v) = &self.prod_handling {
            r.prod_handling = v.clone();
        }
        if let Some(v) = &self.dev_handling {
            r.dev_handling = v.clone();
        }
        if let Some(v) = &self.team_assignment {
            r.team_assignment = v.clone();
        }
        if let Some(v) = self.is_active {
            r.is_active = v;
        }
        r
    }

    /// The names of the fields set, in v2.5's order.
    fn names(&self) -> Vec<&'static str> {
        let set = [
            self.match_string.is_some(),
            self.trap_oid.is_some(),
            self.syslog_severity.is_some(),
            self.match_type.is_some(),
            self.priority.is_some(),
            self.prod_handling.is_some(),
            self.dev_handling.is_some(),
            self.team_assignment.is_some(),
            self.is_active.is_some(),
        ];
        FIELDS
            .iter()
            .zip(set)
            .filter_map(|(n, s)| s.then_some(*n))
            .collect()
    }
}

/// The defaults a new rule starts from; public so the fuzz targets build rules as `create` does.
pub fn blank_rule() -> RuleRow {
    RuleRow {
        id: 0,
        match_string: None,
        trap_oid: None,
        syslog_severity: None,
        match_type: MatchType::Contains.as_str().into(),
        priority: DEFAULT_PRIORITY,
        prod_handling: String::new(),
        dev_handling: String::new(),
        team_assignment: String::new(),
        is_active: true,
    }
}

fn optional_text(field: &str, v: &Value, max: usize) -> Result<Option<String>, AdminError> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) if s.chars().count() > max => Err(AdminError::invalid(
            field,
            format!("{field} must be at most {max} characters"),
        )),
        Value::String(s) => Ok(Some(s.clone())),
        _ => Err(AdminError::invalid(
            field,
            format!("{field} must be a string or null"),
        )),
    }
}

fn required(field: &str, v: &Value, max: usize) -> Result<String, AdminError> {
    match v {
        Value::String(s) => super::required_text(field, Some(s), max),
        _ => Err(AdminError::invalid(
            field,
            format!("{field} must be a string"),
        )),
    }
}

fn int_in(field: &str, v: &Value, min: i64, max: i64) -> Result<i32, AdminError> {
    let n = match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    match n {
        Some(n) if (min..=max).contains(&n) => Ok(n as i32),
        _ => Err(AdminError::invalid(
            field,
            format!("{field} must be an integer in {min}..={max}"),
        )),
    }
}

/// Parse the rule fields of a JSON object. Keys other than the nine fields, `id` and `reason`
/// are refused, so a misspelt field is reported instead of silently ignored.
pub fn parse_patch(body: &Map<String, Value>) -> Result<RulePatch, AdminError> {
    let mut p = RulePatch::default();
    for (key, v) in body {
        match key.as_str() {
            "match_string" => p.match_string = Some(optional_text(key, v, MATCH_MAX)?),
            "trap_oid" => p.trap_oid = Some(optional_text(key, v, MATCH_MAX)?),
            "syslog_severity" => {
                p.syslog_severity = Some(match v {
                    Value::Null => None,
                    Value::String(s) if s.trim().is_empty() => None,
                    _ => Some(int_in(key, v, 0, 7)?),
                })
            }
            "match_type" => {
                let text = v.as_str().unwrap_or("");
                p.match_type = Some(MatchType::parse(text).ok_or_else(|| {
                    AdminError::invalid(
                        key,
                        "match_type must be one of contains, regex, oid_prefix",
                    )
                })?)
            }
            "priority" => p.priority = Some(int_in(key, v, 0, i32::MAX as i64)?),
            "prod_handling" => p.prod_handling = Some(required(key, v, HANDLING_MAX)?),
            "dev_handling" => p.dev_handling = Some(required(key, v, HANDLING_MAX)?),
            "team_assignment" => p.team_assignment = Some(required(key, v, HANDLING_MAX)?),
            "is_active" => {
                p.is_active = Some(match v {
                    Value::Bool(b) => *b,
                    Value::String(s) => crate::settings::parse_bool(s).ok_or_else(|| {
                        AdminError::invalid(key, "is_active must be true or false")
                    })?,
                    _ => return Err(AdminError::invalid(key, "is_active must be true or false")),
                })
            }
            "id" | "reason" => {}
            other => {
                return Err(AdminError::invalid(
                    other,
                    format!(
                        "unknown field {other:?}; rule fields are {}",
                        FIELDS.join(", ")
                    ),
                ))
            }
        }
    }
    Ok(p)
}

fn oid_syntax_ok(oid: &str) -> bool {
    let n = crate::wire::event::normalise_oid(oid);
    !n.is_empty()
        && n.split('.')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
}

/// Check a complete rule: required fields, a match field, an OID the engine can use, a regex
/// that compiles with the engine's own settings.
pub fn validate_rule(rule: &RuleRow) -> Result<(), AdminError> {
    let missing: Vec<&str> = [
        ("prod_handling", &rule.prod_handling),
        ("dev_handling", &rule.dev_handling),
        ("team_assignment", &rule.team_assignment),
    ]
    .iter()
    .filter(|(_, v)| v.trim().is_empty())
    .map(|(n, _)| *n)
    .collect();
    if let Some(first) = missing.first() {
        return Err(AdminError::invalid(
            first,
            format!("missing required fields: {}", missing.join(", ")),
        ));
    }
    if rule.match_string.is_none() && rule.trap_oid.is_none() {
        return Err(AdminError::invalid(
            "match_string",
            "either match_string or trap_oid is required",
        ));
    }
    if let Some(oid) = &rule.trap_oid {
        if !oid_syntax_ok(oid) {
            return Err(AdminError::invalid(
                "trap_oid",
                "trap_oid must be a dotted numeric OID such as 1.3.6.1.6.3.1.1.5.3 (a leading '.', 'iso.' or a trailing '.*' is fine)",
            ));
        }
    }
    let Some(engine_rule) = rule.to_engine() else {
        return Err(AdminError::invalid(
            "match_type",
            "match_type must be one of contains, regex, oid_prefix",
        ));
    };
    if engine_rule.match_type == MatchType::OidPrefix && rule.trap_oid.is_none() {
        if let Some(m) = &rule.match_string {
            if !oid_syntax_ok(m) {
                return Err(AdminError::invalid(
                    "match_string",
                    "an oid_prefix rule without trap_oid needs a dotted numeric OID in match_string",
                ));
            }
        }
    }
    engine::validate(&engine_rule).map_err(|reason| {
        let field = if engine_rule.match_type == MatchType::Regex {
            "match_string"
        } else {
            "trap_oid"
        };
        AdminError::invalid(field, reason)
    })
}

const COLUMNS: &str = "id, match_string, trap_oid, syslog_severity, match_type, priority,
    prod_handling, dev_handling, team_assignment, is_active";

fn row(r: &postgres::Row) -> RuleRow {
    RuleRow {
        id: r.get(0),
        match_string: r.get(1),
        trap_oid: r.get(2),
        syslog_severity: r.get(3),
        match_type: r.get(4),
        priority: r.get(5),
        prod_handling: r.get(6),
        dev_handling: r.get(7),
        team_assignment: r.get(8),
        is_active: r.get(9),
    }
}

/// Every rule (or only active / inactive ones), in evaluation order.
pub fn list(
    client: &mut postgres::Client,
    active: Option<bool>,
) -> Result<Vec<RuleRow>, AdminError> {
    let rows = match active {
        None => client.query(
            &format!("SELECT {COLUMNS} FROM alert_rules ORDER BY priority ASC, id ASC"),
            &[],
        )?,
        Some(a) => client.query(
            &format!(
                "SELECT {COLUMNS} FROM alert_rules WHERE is_active = $1 ORDER BY priority ASC, id ASC"
            ),
            &[&a],
        )?,
    };
    Ok(rows.iter().map(row).collect())
}

fn not_found(id: i32) -> AdminError {
    AdminError::NotFound(format!("Rule {id} not found"))
}

/// One rule.
pub fn get(client: &mut postgres::Client, id: i32) -> Result<RuleRow, AdminError> {
    client
        .query_opt(
            &format!("SELECT {COLUMNS} FROM alert_rules WHERE id = $1"),
            &[&id],
        )?
        .map(|r| row(&r))
        .ok_or_else(|| not_found(id))
}

fn insert(tx: &mut postgres::Transaction<'_>, r: &RuleRow) -> Result<i32, AdminError> {
    Ok(tx
        .query_one(
            "INSERT INTO alert_rules (match_string, trap_oid, syslog_severity, match_type, priority,
                 prod_handling, dev_handling, team_assignment, is_active)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            &[
                &r.match_string,
                &r.trap_oid,
                &r.syslog_severity,
                &r.match_type,
                &r.priority,
                &r.prod_handling,
                &r.dev_handling,
                &r.team_assignment,
                &r.is_active,
            ],
        )?
        .get(0))
}

/// Create a rule from `patch` (defaults as v2.5: contains, priority 100, active); returns its id.
pub fn create(
    client: &mut postgres::Client,
    notifier: &Notifier,
    actor: &Actor,
    patch: &RulePatch,
    reason: Option<&str>,
) -> Result<i32, AdminError> {
    let rule = patch.apply(&blank_rule());
    validate_rule(&rule)?;
    let mut tx = client.transaction()?;
    let id = insert(&mut tx, &rule)?;
    audit::record(
        &mut tx,
        actor,
        &Change::of_id(
            Operation::Create,
            TABLE,
            id,
            None,
            Some(rule.fields()),
            reason,
        ),
    )?;
    tx.commit()?;
    notifier.announce(TABLE);
    Ok(id)
}

fn pick(fields: &Value, names: &[&str]) -> Value {
    let mut out = Map::new();
    for n in names {
        if let Some(v) = fields.get(*n) {
            out.insert((*n).to_string(), v.clone());
        }
    }
    Value::Object(out)
}

/// Change the fields of `patch` on rule `id`; the audit row holds the old and new values of
/// those fields.
pub fn update(
    client: &mut postgres::Client,
    notifier: &Notifier,
    actor: &Actor,
    id: i32,
    patch: &RulePatch,
    reason: Option<&str>,
) -> Result<RuleRow, AdminError> {
    if patch.is_empty() {
        return Err(AdminError::invalid(
            "body",
            format!("no fields to update; rule fields are {}", FIELDS.join(", ")),
        ));
    }
    let mut tx = client.transaction()?;
    let old = tx
        .query_opt(
            &format!("SELECT {COLUMNS} FROM alert_rules WHERE id = $1 FOR UPDATE"),
            &[&id],
        )?
        .map(|r| row(&r))
        .ok_or_else(|| not_found(id))?;
    let new = patch.apply(&old);
    validate_rule(&new)?;
    tx.execute(
        "UPDATE alert_rules SET match_string = $2, trap_oid = $3, syslog_severity = $4,
             match_type = $5, priority = $6, prod_handling = $7, dev_handling = $8,
             team_assignment = $9, is_active = $10
          WHERE id = $1",
        &[
            &id,
            &new.match_string,
            &new.trap_oid,
            &new.syslog_severity,
            &new.match_type,
            &new.priority,
            &new.prod_handling,
            &new.dev_handling,
            &new.team_assignment,
            &new.is_active,
        ],
    )?;
    let names = patch.names();
    audit::record(
        &mut tx,
        actor,
        &Change::of_id(
            Operation::Update,
            TABLE,
            id,
            Some(pick(&old.fields(), &names)),
            Some(pick(&new.fields(), &names)),
            reason,
        ),
    )?;
    tx.commit()?;
    notifier.announce(TABLE);
    Ok(new)
}

/// Delete rule `id`. A rule that audited events still reference cannot be deleted (the audit
/// trail must keep pointing at it): that is a [`AdminError::Conflict`] telling to deactivate it.
pub fn delete(
    client: &mut postgres::Client,
    notifier: &Notifier,
    actor: &Actor,
    id: i32,
    reason: Option<&str>,
) -> Result<RuleRow, AdminError> {
    let mut tx = client.transaction()?;
    let old = tx
        .query_opt(
            &format!("SELECT {COLUMNS} FROM alert_rules WHERE id = $1 FOR UPDATE"),
            &[&id],
        )?
        .map(|r| row(&r))
        .ok_or_else(|| not_found(id))?;
    let referenced = tx
        .query_opt(
            "SELECT 1 FROM event_audit_log WHERE matched_rule_id = $1 LIMIT 1",
            &[&id],
        )?
        .is_some();
    if referenced {
        return Err(AdminError::Conflict(format!(
            "Rule {id} matched audited events and cannot be deleted; deactivate it instead (set is_active to false)"
        )));
    }
    tx.execute("DELETE FROM alert_rules WHERE id = $1", &[&id])?;
    audit::record(
        &mut tx,
        actor,
        &Change::of_id(
            Operation::Delete,
            TABLE,
            id,
            Some(old.fields()),
            None,
            reason,
        ),
    )?;
    tx.commit()?;
    notifier.announce(TABLE);
    Ok(old)
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportReport {
    /// Ids of the rules created.
    pub created: Vec<i32>,
    /// Entries identical to an existing rule (same fields), left alone.
    pub unchanged: usize,
    /// Entries refused, with their position (1-based) and why.
    pub failed: Vec<ImportFailure>,
}

/// One refused import entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportFailure {
    /// Position in the file, 1-based.
    pub index: usize,
    /// The offending field.
    pub field: String,
    /// Why.
    pub error: String,
}

/// Parse an import document: a YAML or JSON list of rules, or `{"rules": [...]}` (what `export`
/// writes).
pub fn parse_document(text: &str) -> Result<Vec<Map<String, Value>>, AdminError> {
    let doc: Value = serde_yaml_ng::from_str(text)
        .map_err(|e| AdminError::invalid("file", format!("not valid YAML or JSON: {e}")))?;
    let list = match doc {
        Value::Array(a) => a,
        Value::Object(mut o) => match o.remove("rules") {
            Some(Value::Array(a)) => a,
            _ => {
                return Err(AdminError::invalid(
                    "file",
                    "expected a list of rules or an object with a \"rules\" list",
                ))
            }
        },
        _ => {
            return Err(AdminError::invalid(
                "file",
                "expected a list of rules or an object with a \"rules\" list",
            ))
        }
    };
    list.into_iter()
        .enumerate()
        .map(|(i, v)| match v {
            Value::Object(o) => Ok(o),
            _ => Err(AdminError::invalid(
                "file",
                format!("entry {} is not an object", i + 1),
            )),
        })
        .collect()
}

/// Import rules: each valid entry not identical to an existing rule is created, in one
/// transaction with its audit row; identical ones are skipped, so importing twice changes
/// nothing. Invalid entries are reported and the rest imported.
pub fn import(
    client: &mut postgres::Client,
    notifier: &Notifier,
    actor: &Actor,
    entries: &[Map<String, Value>],
    reason: Option<&str>,
) -> Result<ImportReport, AdminError> {
    import_with_progress(client, notifier, actor, entries, reason, &|_| {})
}

/// [`import`], telling `on_entries(n)` as each entry is dealt with (refused, skipped or
/// created), `entries.len()` in all, so the CLI can draw a bar over a long import.
pub fn import_with_progress(
    client: &mut postgres::Client,
    notifier: &Notifier,
    actor: &Actor,
    entries: &[Map<String, Value>],
    reason: Option<&str>,
    on_entries: &dyn Fn(u64),
) -> Result<ImportReport, AdminError> {
    let mut report = ImportReport::default();
    let mut candidates = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let checked = parse_patch(entry).and_then(|p| {
            let r = p.apply(&blank_rule());
            validate_rule(&r).map(|_| r)
        });
        match checked {
            Ok(r) => candidates.push(r),
            Err(e) => report.failed.push(ImportFailure {
                index: i + 1,
                field: match &e {
                    AdminError::Invalid { field, .. } => field.clone(),
                    _ => String::new(),
                },
                error: e.to_string(),
            }),
        }
    }
    on_entries(report.failed.len() as u64);
    let mut tx = client.transaction()?;
    let mut existing: Vec<Value> = tx
        .query(&format!("SELECT {COLUMNS} FROM alert_rules"), &[])?
        .iter()
        .map(|r| row(r).fields())
        .collect();
    for rule in candidates {
        let fields = rule.fields();
        if existing.contains(&fields) {
            report.unchanged += 1;
            on_entries(1);
            continue;
        }
        let id = insert(&mut tx, &rule)?;
        audit::record(
            &mut tx,
            actor,
            &Change::of_id(
                Operation::Create,
                TABLE,
                id,
                None,
                Some(fields.clone()),
                reason,
            ),
        )?;
        existing.push(fields);
        report.created.push(id);
        on_entries(1);
    }
    tx.commit()?;
    if !report.created.is_empty() {
        notifier.announce(TABLE);
    }
    Ok(report)
}

/// Explain how the current active rules, development hosts, teams and silences decide `event`
/// now (the same engine and snapshot the alerter uses).
pub fn test_event(
    client: &mut postgres::Client,
    default_team: &str,
    event: &Value,
) -> Result<engine::Explanation, AdminError> {
    let snapshot = crate::store::postgres::rules::load_snapshot_from(client, default_team)?;
    explain(&snapshot, event, chrono::Utc::now())
}

/// Explain each of `events` against one snapshot of the rules, with the silences in force at
/// `at`; a malformed event gets its own error and the rest are still explained.
pub fn test_events(
    client: &mut postgres::Client,
    default_team: &str,
    events: &[Value],
    at: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<Result<engine::Explanation, AdminError>>, AdminError> {
    let snapshot = crate::store::postgres::rules::load_snapshot_from(client, default_team)?;
    Ok(events.iter().map(|e| explain(&snapshot, e, at)).collect())
}

fn explain(
    snapshot: &engine::Snapshot,
    event: &Value,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<engine::Explanation, AdminError> {
    let Some(obj) = event.as_object() else {
        return Err(AdminError::invalid("event", "event must be a JSON object"));
    };
    let text = |k: &str| obj.get(k).and_then(Value::as_str);
    let hostname = text("hostname").unwrap_or("");
    let severity = match obj.get("syslog_severity") {
        None | Some(Value::Null) => None,
        Some(v) => Some(crate::wire::event::parse_severity(v).ok_or_else(|| {
            AdminError::invalid(
                "syslog_severity",
                "syslog_severity must be 0..7 or a syslog name",
            )
        })?),
    };
    Ok(snapshot.explain(
        &crate::wire::event::EventView {
            hostname,
            message: text("message"),
            trap_oid: text("trap_oid"),
            syslog_severity: severity,
        },
        at,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    fn full(v: Value) -> Result<RuleRow, AdminError> {
        let r = parse_patch(&obj(v))?.apply(&blank_rule());
        validate_rule(&r).map(|_| r)
    }

    fn field_of(e: AdminError) -> String {
        match e {
            AdminError::Invalid { field, .. } => field,
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    const BASE: fn() -> Value = || {
        json!({"match_string": "LINK-3-UPDOWN", "prod_handling": "page_and_ticket",
               "dev_handling": "ticket_only", "team_assignment": "NetOps"})
    };

    #[test]
    fn a_minimal_rule_gets_v25_defaults() {
        let r = full(BASE()).unwrap();
        assert_eq!(r.match_type, "contains");
        assert_eq!(r.priority, 100);
        assert!(r.is_active);
        assert_eq!(r.syslog_severity, None);
    }

    #[test]
    fn each_bad_field_is_named() {
        let cases = [
            ("match_type", json!("glob")),
            ("priority", json!("high")),
            ("priority", json!(-1)),
            ("syslog_severity", json!(8)),
            ("is_active", json!("maybe")),
            ("prod_handling", json!("")),
            ("team_assignment", json!("x".repeat(101))),
            ("match_string", json!("y".repeat(256))),
            ("colour", json!("red")),
        ];
        for (field, value) in cases {
            let mut v = BASE();
            v[field] = value;
            assert_eq!(field_of(full(v).unwrap_err()), field, "{field}");
        }
    }

    #[test]
    fn missing_required_fields_are_listed() {
        let e = full(json!({"match_string": "x"})).unwrap_err();
        assert_eq!(
            e.to_string(),
            "missing required fields: prod_handling, dev_handling, team_assignment"
        );
    }

    #[test]
    fn a_match_field_is_required() {
        let mut v = BASE();
        v["match_string"] = Value::Null;
        assert_eq!(field_of(full(v).unwrap_err()), "match_string");
    }

    #[test]
    fn regexes_must_compile_with_the_engine() {
        let mut v = BASE();
        v["match_type"] = json!("regex");
        v["match_string"] = json!("BGP-5-ADJCHANGE.*(Down");
        let e = full(v.clone()).unwrap_err();
        assert!(e.to_string().contains("regex"), "{e}");
        v["match_string"] = json!("BGP-5-ADJCHANGE.*Down");
        full(v).unwrap();
    }

    #[test]
    fn oids_must_be_dotted_numbers() {
        let mut v = BASE();
        v["match_type"] = json!("oid_prefix");
        v["match_string"] = Value::Null;
        v["trap_oid"] = json!("1.3.6.x");
        assert_eq!(field_of(full(v.clone()).unwrap_err()), "trap_oid");
        for ok in [".1.3.6.1.6.3.1.1.5", "iso.3.6.1.6.3.1.1.5.3", "1.3.6.1.*"] {
            v["trap_oid"] = json!(ok);
            full(v.clone()).unwrap();
        }
    }

    #[test]
    fn import_documents_are_lists_or_rules_objects_in_yaml_or_json() {
        let yaml =
            "- match_string: a\n  prod_handling: p\n  dev_handling: d\n  team_assignment: t\n";
        assert_eq!(parse_document(yaml).unwrap().len(), 1);
        let json = r#"{"rules":[{"match_string":"a"},{"trap_oid":"1.3"}]}"#;
        assert_eq!(parse_document(json).unwrap().len(), 2);
        assert!(parse_document("42").is_err());
        assert!(parse_document("- 1\n").is_err());
    }
}
