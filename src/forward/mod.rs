//! `mutt forward run`: the Moog forwarder (in progress).

pub mod payload;
