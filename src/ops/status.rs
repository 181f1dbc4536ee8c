//! `mutt status`.
