//! `mutt syslog serve`: syslog straight from devices and rsyslog. The byte codecs of the stream
//! transports (`framing`, `relp`) and the line parser (`parse`) are pure; `serve` runs the
//! listeners on the daemon runtime, `metrics` names what they count.

pub mod framing;
pub mod metrics;
pub mod parse;
pub mod relp;
pub mod serve;
