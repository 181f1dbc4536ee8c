//! The HTML pages and static assets of the web UI, embedded in the binary.
