//! `mutt status [--watch [SECS]]`: the whole system on one screen; exit 1 when unhealthy.

use super::output::Format;
use super::{CliError, EXIT_FAILURE};
use crate::ops::status::{self, Options, Report};
use crate::settings::Settings;
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

/// Seconds between refreshes of `--watch` without a value.
const DEFAULT_WATCH_SECS: &str = "2";

/// `mutt status` options.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// Refresh every SECS seconds (default 2), clearing the screen, until Ctrl-C
    #[arg(long, value_name = "SECS", num_args = 0..=1, default_missing_value = DEFAULT_WATCH_SECS,
          value_parser = parse_secs)]
    pub watch: Option<Duration>,
}

fn parse_secs(text: &str) -> Result<Duration, String> {
    match text.trim().parse::<f64>() {
        Ok(s) if (0.1..=86_400.0).contains(&s) => Ok(Duration::from_secs_f64(s)),
        _ => Err(format!(
            "expected seconds between 0.1 and 86400, got {text:?}"
        )),
    }
}

/// Run `mutt status`.
pub fn run(settings: &Settings, args: &StatusArgs, format: Format) -> Result<ExitCode, CliError> {
    let opts = Options::from_settings(settings);
    let Some(every) = args.watch else {
        let report = status::collect(settings, &opts);
        print(&report, format, &mut std::io::stdout().lock())?;
        return Ok(verdict(&report));
    };
    let shutdown = crate::shutdown::Shutdown::new();
    shutdown.install_signal_handlers()?;
    loop {
        let report = status::collect(settings, &opts);
        let mut buf = Vec::new();
        print(&report, format, &mut buf)?;
        let mut out = std::io::stdout().lock();
        // Clear the screen and home the cursor, then draw the whole frame at once.
        out.write_all(b"\x1b[2J\x1b[H")?;
        out.write_all(&buf)?;
        out.flush()?;
        drop(out);
        if shutdown.wait_timeout(every) {
            return Ok(verdict(&report));
        }
    }
}

fn verdict(r: &Report) -> ExitCode {
    if r.healthy {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FAILURE)
    }
}

fn print(r: &Report, format: Format, out: &mut impl Write) -> std::io::Result<()> {
    if format == Format::Json {
        serde_json::to_writer_pretty(&mut *out, r)?;
        return writeln!(out);
    }
    let mark = |up: bool| if up { "up" } else { "DOWN" };
    writeln!(
        out,
        "mutt status at {}: {}",
        r.checked_at,
        if r.healthy { "healthy" } else { "UNHEALTHY" }
    )?;
    writeln!(out)?;
    for (name, reach) in [("Redis", &r.redis), ("PostgreSQL", &r.postgres)] {
        let why = reach
            .error
            .as_deref()
            .map(|e| format!("  ({e})"))
            .unwrap_or_default();
        writeln!(out, "{name:<12}{}{why}", mark(reach.up))?;
        if let (Some(rep), "Redis") = (&r.replication, name) {
            let via = if rep.via_sentinels {
                " (found through the Sentinels)"
            } else {
                ""
            };
            writeln!(out, "  {:<10}{}{via}", rep.role, rep.master)?;
            for x in &rep.replicas {
                writeln!(
                    out,
                    "  {:<10}{}  {}, {} bytes / {} s behind",
                    "replica", x.address, x.state, x.lag_bytes, x.lag_seconds
                )?;
            }
        }
    }
    for e in &r.endpoints {
        let detail = match (e.http_status, &e.error) {
            (Some(code), _) => format!("HTTP {code}"),
            (None, Some(err)) => err.clone(),
            (None, None) => String::new(),
        };
        writeln!(out, "{:<12}{}  {}  {detail}", e.service, mark(e.up), e.url)?;
    }
    writeln!(out)?;
    if !r.redis.up {
        writeln!(out, "Instances   unknown (Redis is unreachable)")?;
    } else if r.instances.is_empty() {
        writeln!(out, "Instances   none have reported a heartbeat")?;
    } else {
        #[derive(tabled::Tabled)]
        struct Row {
            #[tabled(rename = "SERVICE")]
            service: String,
            #[tabled(rename = "POD")]
            pod: String,
            #[tabled(rename = "STATE")]
            state: String,
            #[tabled(rename = "HEARTBEAT")]
            age: String,
            #[tabled(rename = "TTL")]
            ttl: String,
            #[tabled(rename = "RULES")]
            rules: String,
            #[tabled(rename = "CACHE AGE")]
            cache_age: String,
        }
        let rows: Vec<Row> = r
            .instances
            .iter()
            .map(|i| Row {
                service: i.service.clone(),
                pod: i.pod.clone(),
                state: mark(i.up).into(),
                age: format!("{:.1}s ago", i.heartbeat_age_s),
                ttl: format!("{}s", i.ttl_s),
                // Only alerters that have loaded their rules report a cache.
                rules: i
                    .rule_cache
                    .as_ref()
                    .map_or("-".into(), |c| match c.rules_skipped {
                        0 => c.rules.to_string(),
                        n => format!("{} (+{n} skipped)", c.rules),
                    }),
                cache_age: i
                    .rule_cache
                    .as_ref()
                    .map_or("-".into(), |c| format!("{:.1}s", c.rules_age_s)),
            })
            .collect();
        let mut t = tabled::Table::new(rows);
        t.with(tabled::settings::Style::psql());
        writeln!(out, "{t}")?;
    }
    writeln!(out)?;
    if let Some(q) = &r.queues {
        writeln!(
            out,
            "Queues      ingest {}  alert {}  retry {}",
            q.ingest, q.alert, q.retry
        )?;
    }
    let busy: Vec<String> = r
        .processing
        .iter()
        .map(|p| format!("{}/{} {}", p.consumer, p.pod, p.depth))
        .collect();
    if !busy.is_empty() {
        writeln!(out, "Processing  {}", busy.join("  "))?;
    }
    if let Some(d) = &r.dlq {
        writeln!(
            out,
            "DLQ         alerter {}  moog {}  dead {}",
            d.alerter, d.moog, d.dead
        )?;
    }
    if let Some(b) = &r.breaker {
        writeln!(out, "Breaker     {}", b.to_lowercase())?;
    }
    if let Some(rules) = &r.rules {
        writeln!(
            out,
            "Rules       {} active of {}",
            rules.active, rules.total
        )?;
    }
    if let Some(p) = &r.partitions {
        let months: Vec<String> = p
            .months
            .iter()
            .map(|m| format!("{} {}", m.month, if m.exists { "ok" } else { "MISSING" }))
            .collect();
        let default = match p.default_rows {
            Some(n) => format!("DEFAULT {n} rows"),
            None => "no DEFAULT partition".into(),
        };
        writeln!(out, "Partitions  {}  {default}", months.join("  "))?;
    }
    if !r.silences.is_empty() {
        writeln!(out, "Silences    {} not ended", r.silences.len())?;
        for s in &r.silences {
            let window = s
                .schedule
                .as_ref()
                .map_or(String::new(), |w| format!(" every {w}"));
            writeln!(
                out,
                "  {} {:<7} {}{window} until {}  held {} in the last hour  ({}, {})",
                s.id, s.state, s.matchers, s.ends_at, s.held_last_hour, s.comment, s.created_by
            )?;
        }
    }
    if !r.problems.is_empty() {
        writeln!(out, "\nProblems:")?;
        for p in &r.problems {
            writeln!(out, "  - {p}")?;
        }
    }
    if !r.warnings.is_empty() {
        writeln!(out, "\nWarnings:")?;
        for w in &r.warnings {
            writeln!(out, "  - {w}")?;
        }
    }
    Ok(())
}
