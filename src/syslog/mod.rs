//! Syslog reception for `mutt syslog serve`: the byte codecs of the stream transports.

pub mod framing;
pub mod relp;
