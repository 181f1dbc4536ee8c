//! RFC 6587 de-framing of one syslog TCP or TLS (RFC 5425) connection, incrementally and without
//! copying frames.
//!
//! The framing is chosen once per connection from its first byte: a digit means octet counting
//! (`LEN SP MSG`, RFC 6587 §3.4.1, the only framing RFC 5425 allows), anything else means
//! non-transparent framing (§3.4.2): a message ends at LF or NUL, and one CR right before the
//! terminator is dropped (senders writing `\r\n`). rsyslog's imtcp decides per frame instead;
//! deciding per connection keeps a non-transparent message that happens to start with a digit
//! from being read as a count.
//!
//! Decisions, with their reasons:
//!
//! - A message longer than `max_message_bytes` is delivered cut to that length with
//!   [`Frame::truncated`] set, and the rest of it is dropped as it arrives (octet counting: the
//!   remaining count; non-transparent: everything up to the terminator) without being buffered,
//!   so one sender cannot make a connection hold more than one maximum message. rsyslog's imtcp
//!   truncates the same way.
//! - A malformed octet count (a non-digit before SP, a leading zero, more than
//!   [`MAX_COUNT_DIGITS`] digits, a zero length) is a [`FrameError`]: the stream cannot be
//!   resynchronised, so the caller closes the connection and logs the error with the peer's
//!   address. The error names what was wrong and at most one offending byte, never payload.
//! - LF and CR between octet-counted frames are skipped: some senders end each counted frame with
//!   a newline the count does not include, and skipping it costs nothing.
//! - Empty non-transparent messages (blank lines, a lone CR) are skipped, not delivered.
//! - At end of stream ([`Deframer::finish`]) an unterminated non-transparent rest counts as a
//!   message, as rsyslog's imtcp delivers it: a sender that closes after its last line without a
//!   newline loses nothing. An unfinished octet-counted frame is [`FrameError::Incomplete`]
//!   instead: its own count says it is cut off.
//!
//! Frames are slices of one buffer per connection. The caller appends what it reads
//! ([`Deframer::push`], or [`Deframer::buffer_for_read`] to read straight into the buffer), then
//! takes frames with [`Deframer::next_frame`] until `Ok(None)`; consumed bytes are dropped at the
//! next append, so the buffer holds at most one partial frame plus one read.

use std::fmt;

/// The most digits an octet count may have (10 digits: just under 10 GB, far beyond any message).
pub const MAX_COUNT_DIGITS: usize = 10;

/// How a connection frames its messages, decided from its first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// `LEN SP MSG` (RFC 6587 §3.4.1).
    OctetCounting,
    /// Messages terminated by LF or NUL (RFC 6587 §3.4.2).
    NonTransparent,
}

/// One message cut out of the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a> {
    /// The message bytes, without count, terminator or trailing CR.
    pub message: &'a [u8],
    /// Whether the message was longer than the limit and is cut to it.
    pub truncated: bool,
}

/// A framing error: the connection cannot continue and should be closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// A frame should start with an octet count but starts with another byte.
    #[error("octet-counting framing: expected an octet count, found byte 0x{found:02x}")]
    NotACount {
        /// The offending byte.
        found: u8,
    },
    /// An octet count is followed by something other than SP.
    #[error("octet-counting framing: octet count followed by byte 0x{found:02x} instead of SP")]
    BadDelimiter {
        /// The offending byte.
        found: u8,
    },
    /// An octet count starts with `0` and has more digits.
    #[error("octet-counting framing: octet count has a leading zero")]
    LeadingZero,
    /// An octet count of zero.
    #[error("octet-counting framing: octet count is zero")]
    ZeroLength,
    /// An octet count longer than [`MAX_COUNT_DIGITS`].
    #[error("octet-counting framing: octet count has more than {MAX_COUNT_DIGITS} digits")]
    CountTooLong,
    /// The stream ended inside an octet count.
    #[error("octet-counting framing: connection closed inside an octet count")]
    IncompleteCount,
    /// The stream ended inside an octet-counted message.
    #[error(
        "octet-counting framing: connection closed after {received} of {declared} message bytes"
    )]
    Incomplete {
        /// The length the count announced.
        declared: u64,
        /// How many of those bytes arrived.
        received: u64,
    },
}

/// What to drop before the next frame starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Skip {
    Nothing,
    /// The rest of a truncated octet-counted message.
    Octets(u64),
    /// The rest of a truncated non-transparent message, through its terminator.
    ToTerminator,
}

/// The incremental RFC 6587 de-framer of one connection.
#[derive(Debug)]
pub struct Deframer {
    buf: Vec<u8>,
    /// Start of the bytes not yet consumed.
    pos: usize,
    /// Non-transparent: how many bytes after `pos` are known to hold no terminator, so a long
    /// message arriving in small reads is scanned once, not once per read.
    scanned: usize,
    max: usize,
    framing: Option<Framing>,
    skip: Skip,
    eof: bool,
    failed: Option<FrameError>,
}

impl Deframer {
    /// A de-framer delivering messages of at most `max_message_bytes` (at least 1) bytes.
    pub fn new(max_message_bytes: usize) -> Self {
        Deframer {
            buf: Vec::new(),
            pos: 0,
            scanned: 0,
            max: max_message_bytes.max(1),
            framing: None,
            skip: Skip::Nothing,
            eof: false,
            failed: None,
        }
    }

    /// The framing this connection uses, once its first byte has been seen.
    pub fn framing(&self) -> Option<Framing> {
        self.framing
    }

    /// How many received bytes are buffered and not yet part of a delivered frame.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Append bytes read from the connection.
    pub fn push(&mut self, mut data: &[u8]) {
        self.compact();
        // Bytes of a truncated message's rest need not pass through the buffer at all.
        if self.buf.is_empty() {
            let (dropped, skip) = skip_prefix(self.skip, data);
            self.skip = skip;
            data = &data[dropped..];
        }
        self.buf.extend_from_slice(data);
    }

    /// The buffer, compacted and with room for `additional` bytes, for reading into directly
    /// (e.g. tokio's `read_buf`). Only append to it.
    pub fn buffer_for_read(&mut self, additional: usize) -> &mut Vec<u8> {
        self.compact();
        self.buf.reserve(additional);
        &mut self.buf
    }

    /// The next complete message, `Ok(None)` when more bytes are needed.
    pub fn next_frame(&mut self) -> Result<Option<Frame<'_>>, FrameError> {
        let found = match self.next_range() {
            Ok(found) => found,
            Err(e) => {
                self.failed = Some(e);
                return Err(e);
            }
        };
        Ok(found.map(|(start, end, truncated)| Frame {
            message: &self.buf[start..end],
            truncated,
        }))
    }

    /// Mark the end of the stream and take the final frame: the unterminated rest of a
    /// non-transparent stream, if not empty. Call it after [`next_frame`](Self::next_frame)
    /// returned `Ok(None)`; any later `next_frame` sees the end of stream too.
    pub fn finish(&mut self) -> Result<Option<Frame<'_>>, FrameError> {
        self.eof = true;
        self.next_frame()
    }

    /// Drop consumed bytes so the buffer holds only the partial frame.
    fn compact(&mut self) {
        if self.pos == self.buf.len() {
            self.buf.clear();
        } else if self.pos > 0 {
            self.buf.drain(..self.pos);
        }
        self.pos = 0;
    }

    /// The next frame as (start, end, truncated) indices into the buffer.
    fn next_range(&mut self) -> Result<Option<(usize, usize, bool)>, FrameError> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        if self.skip != Skip::Nothing {
            let (dropped, skip) = skip_prefix(self.skip, &self.buf[self.pos..]);
            self.skip = skip;
            self.pos += dropped;
            if skip != Skip::Nothing {
                return Ok(None);
            }
        }
        if self.pos == self.buf.len() {
            return Ok(None);
        }
        let framing = *self
            .framing
            .get_or_insert(if self.buf[self.pos].is_ascii_digit() {
                Framing::OctetCounting
            } else {
                Framing::NonTransparent
            });
        match framing {
            Framing::OctetCounting => self.octet_counted(),
            Framing::NonTransparent => Ok(self.non_transparent()),
        }
    }

    fn octet_counted(&mut self) -> Result<Option<(usize, usize, bool)>, FrameError> {
        while self.pos < self.buf.len() && matches!(self.buf[self.pos], b'\n' | b'\r') {
            self.pos += 1;
        }
        let rest = &self.buf[self.pos..];
        if rest.is_empty() {
            return Ok(None);
        }
        let mut count: u64 = 0;
        let mut digits = 0;
        let header_len = loop {
            let Some(&b) = rest.get(digits) else {
                if self.eof {
                    self.pos = self.buf.len();
                    return Err(FrameError::IncompleteCount);
                }
                return Ok(None);
            };
            match b {
                b'0'..=b'9' => {
                    if digits == 1 && rest[0] == b'0' {
                        return Err(FrameError::LeadingZero);
                    }
                    if digits == MAX_COUNT_DIGITS {
                        return Err(FrameError::CountTooLong);
                    }
                    count = count * 10 + u64::from(b - b'0');
                    digits += 1;
                }
                b' ' if digits > 0 => break digits + 1,
                _ if digits == 0 => return Err(FrameError::NotACount { found: b }),
                _ => return Err(FrameError::BadDelimiter { found: b }),
            }
        };
        if count == 0 {
            return Err(FrameError::ZeroLength);
        }
        let available = (rest.len() - header_len) as u64;
        let start = self.pos + header_len;
        if count <= self.max as u64 {
            if available < count {
                if self.eof {
                    self.pos = self.buf.len();
                    return Err(FrameError::Incomplete {
                        declared: count,
                        received: available,
                    });
                }
                return Ok(None);
            }
            let end = start + count as usize;
            self.pos = end;
            return Ok(Some((start, end, false)));
        }
        if available < self.max as u64 {
            if self.eof {
                self.pos = self.buf.len();
                return Err(FrameError::Incomplete {
                    declared: count,
                    received: available,
                });
            }
            return Ok(None);
        }
        let end = start + self.max;
        self.pos = end;
        self.skip = Skip::Octets(count - self.max as u64);
        Ok(Some((start, end, true)))
    }

    fn non_transparent(&mut self) -> Option<(usize, usize, bool)> {
        loop {
            let start = self.pos;
            let len = self.buf.len();
            // Never look further than a maximum message, its CR and its terminator.
            let window_end = len.min(start.saturating_add(self.max).saturating_add(2));
            let from = start + self.scanned;
            let found = self.buf[from.min(window_end)..window_end]
                .iter()
                .position(|&b| is_terminator(b))
                .map(|i| from + i);
            let (end, next) = match found {
                Some(t) => (t, t + 1),
                None => {
                    let have = len - start;
                    let over = have >= self.max + 2
                        || (have == self.max + 1 && self.buf[start + self.max] != b'\r');
                    if over {
                        // Deliver the first `max` bytes; the rest is dropped through the
                        // terminator by the skip at the next call.
                        self.scanned = 0;
                        self.pos = start + self.max;
                        self.skip = Skip::ToTerminator;
                        return Some((start, start + self.max, true));
                    }
                    if !self.eof {
                        self.scanned = have;
                        return None;
                    }
                    if have == 0 {
                        return None;
                    }
                    (len, len)
                }
            };
            self.scanned = 0;
            self.pos = next;
            let end = if end > start && self.buf[end - 1] == b'\r' {
                end - 1
            } else {
                end
            };
            if end == start {
                if self.pos == len {
                    return None;
                }
                continue;
            }
            if end - start > self.max {
                return Some((start, start + self.max, true));
            }
            return Some((start, end, false));
        }
    }
}

impl fmt::Display for Framing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Framing::OctetCounting => "octet-counting",
            Framing::NonTransparent => "non-transparent",
        })
    }
}

/// How many leading bytes of `data` belong to the rest being skipped, and what is left to skip.
fn skip_prefix(skip: Skip, data: &[u8]) -> (usize, Skip) {
    match skip {
        Skip::Nothing => (0, Skip::Nothing),
        Skip::Octets(remaining) => {
            let n = remaining.min(data.len() as u64);
            let left = if n == remaining {
                Skip::Nothing
            } else {
                Skip::Octets(remaining - n)
            };
            (n as usize, left)
        }
        Skip::ToTerminator => match data.iter().position(|&b| is_terminator(b)) {
            Some(i) => (i + 1, Skip::Nothing),
            None => (data.len(), Skip::ToTerminator),
        },
    }
}

/// LF ends a non-transparent message; NUL too, which some senders use instead.
fn is_terminator(b: u8) -> bool {
    b == b'\n' || b == 0
}

#[cfg(test)]
mod tests;
