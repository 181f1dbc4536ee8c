//! RELP, the Reliable Event Logging Protocol, as librelp and rsyslog's omrelp speak it: an
//! incremental frame [`Decoder`], the encoders of the server's frames, and the server session as
//! a pure state machine ([`Session::on_frame`] → [`Action`]).
//!
//! # Protocol facts relied on, and where librelp says so
//!
//! Read in librelp's source (github.com/rsyslog/librelp) and checked against rsyslogd 8.2302.0
//! with librelp 1.11.0 (omrelp client, imrelp server); the captured bytes are in
//! `tests/fixtures/relp/` and its README.
//!
//! - Frame: `TXNR SP COMMAND SP DATALEN [SP DATA] LF`; with DATALEN 0 there is neither SP nor
//!   data, so `5 close 0\n`, and `5 close 0 \n` is a framing error (`doc/relp.md`;
//!   `src/relpframe.c`: `relpFrameBuildSendbuf` writes SP and data only when there is data,
//!   `relpFrameProcessOctetRcvd` expects the trailer right after a zero DATALEN). TXNR and
//!   DATALEN have at most 9 digits, COMMAND at most 32 letters; leading zeros are accepted
//!   (`relpframe.c`). DATA is arbitrary bytes, LF included.
//! - The server checks every TXNR other than 0 against the next expected one, starting at 1
//!   (`relpframe.c`, `src/relpsess.c` `relpSessConstruct`), and aborts the session on a
//!   mismatch. After 999,999,999 the spec wraps to 1 (`doc/relp.md`; `src/relp.h`
//!   `relpEngineNextTXNR`, whose `>` lets one 10-digit number through that librelp itself then
//!   refuses to send). TXNR 0 is reserved for hints, which get no answer (`doc/relp.md`).
//! - omrelp opens with offers as `name=value,value` lines joined by LF with no final LF
//!   (`src/offers.c` `relpOffersToString`, `relpOffersConstructFromFrame`; at most 64 values,
//!   `src/offers.h`), in this order (`relpsess.c` `relpSessConstructOffers`):
//!
//!   ```text
//!   1 open 86 relp_version=0
//!   relp_software=librelp,1.11.0,http://librelp.adiscon.com
//!   commands=syslog
//!   ```
//!
//!   librelp's protocol version is 0 (`relp.h` `RELP_CURR_PROTOCOL_VERSION`), and omrelp marks
//!   `syslog` required (rsyslog `plugins/omrelp/omrelp.c`:
//!   `relpEngineSetEnableCmd(..., eRelpCmdState_Required)`).
//! - librelp's server answers `rsp` with data `200 OK\n` followed by its own offers in the same
//!   form: relp_version (the client's, capped at its own), relp_software, commands
//!   (`src/copen.c` `selectOffers`, `relpSessConstructOffers` in `relpsess.c`). A client that
//!   does not offer `commands=syslog` gets `500 required command not supported by client`, a
//!   second `open` gets `500 protocol error: connection already open`, and the session ends
//!   (`copen.c`).
//! - The client accepts the answer only with code 200 (`src/scrsp.c`), then
//!   (`relpsess.c` `relpSessCBrspOpen`, `relpSessCltConnChkOffers`): relp_version must carry an
//!   integer no higher than its own (0) or the connection fails (observed: answering 1 to 0 does);
//!   without `commands=syslog` the required command is missing and omrelp reconnects forever
//!   (observed); unknown offers and relp_software are ignored; a missing relp_version is not
//!   checked (observed) although the spec says the client must close.
//! - `syslog` is answered `200 OK` (`src/scsyslog.c`); before a successful `open` librelp answers
//!   `500 command disabled` and keeps the session (`scsyslog.c`, and `src/relp.c`
//!   `relpEngineDispatchFrame` ignores the handler's result for syslog).
//! - A response is `TXNR rsp LEN CODE SP TEXT [LF DATA]`; the client reads three digits, SP and at
//!   most 80 characters of text up to LF (`scrsp.c` `readRspHdr`). It looks the TXNR up in its
//!   list of unacknowledged frames (`relpsess.c` `relpSessGetUnacked`), so responses may come in
//!   any order (observed: acknowledging 4, 3, 2 works); a TXNR it does not know breaks the
//!   session. `doc/relp.md` says both "may reply in any order" and "must be sent in the exact
//!   same order"; librelp's client needs no order.
//! - A code other than 200 makes the client log "peer sent error response", drop that frame from
//!   its unacknowledged list *without resending it*, and break the session (`scrsp.c`; observed:
//!   the message answered 500 never came back, the later ones were resent). So a message that
//!   could not be stored must not be answered 500: close the connection instead.
//! - `close` is answered with an empty `rsp` (`N rsp 0\n`, `src/cclose.c`) and librelp then
//!   sends `0 serverclose 0\n` as it destroys the session. Its own client fails to read that
//!   empty response header (`readRspHdr` hits the end of data) and closes anyway; answered
//!   `200 OK` its close callback runs and the disconnect is clean (observed in omrelp's debug
//!   log).
//! - `0 serverclose 0\n` is the hint librelp's server sends before closing any session that is
//!   not broken: on shutdown, after errors, after close (`relpsess.c` `relpSessSrvDoDisconnect`).
//!   The client marks the session broken (`src/cserverclose.c`), reconnects with a new `open`
//!   and resends every unacknowledged frame renumbered from TXNR 2 (`relpsess.c`
//!   `relpSessTryReestablish`; fixture `omrelp-resend-after-serverclose.client.bin`). Delivery
//!   is therefore at least once: a frame delivered but not yet acknowledged comes again.
//! - An unknown command gets no answer: librelp ends the session with `serverclose` (`relp.c`
//!   `relpEngineDispatchFrame` returns `RELP_RET_INVALID_CMD`; observed). So do bad frames, TXNR
//!   gaps and a client's `rsp` (observed).
//! - Flow control: omrelp keeps at most 128 frames unacknowledged by default (`relp.h`
//!   `RELP_DFLT_WINDOW_SIZE`, omrelp's `windowSize`) and waits up to 90 s for room or answers
//!   before it breaks the session and resends (`relpsess.c` `relpSessWaitState`, default
//!   timeout). It reads answers only when it sends or waits, so an idle client's acknowledgements
//!   sit in its socket until its next message.
//! - Data size: librelp's default maximum is 128 KiB (`relp.h` `RELP_DFLT_MAX_DATA_SIZE`); an
//!   over-long frame aborts, is truncated or accepted (`relpframe.c`, `src/librelp.h`
//!   `RELP_OVERSIZE_*`); imrelp truncates by default since 8.35 (rsyslog's imrelp
//!   `oversizeMode` documentation). omrelp cuts messages at its own `maxMessageSize` first.
//! - The syslog data is the message as omrelp's template rendered it: the default
//!   `RSYSLOG_ForwardFormat` has no final LF, `RSYSLOG_SyslogProtocol23Format` ends in LF
//!   (fixtures); the message parser, not this codec, deals with that LF.
//!
//! # Decisions
//!
//! - The open answer is `200 OK` + `relp_version=V` (the client's version capped at
//!   [`RELP_VERSION`], 0 when it offers none), `relp_software=mutt,<version>`,
//!   `commands=syslog`, in librelp's order.
//! - `close` is answered `200 OK` without a `serverclose`, which librelp's client handles
//!   cleanly; the caller acknowledges the deliveries before it first.
//! - Every protocol error ends the session with `serverclose` (after a `500` answer where librelp
//!   gives one); a `syslog` before `open` too, where librelp answers 500 and goes on: only a
//!   broken client does that, and a 500 would make a librelp client drop the message.
//! - An over-long `syslog` frame is truncated ([`Oversize::Truncate`], imrelp's default: aborting
//!   makes the client resend the same frame forever) or ends the session
//!   ([`Oversize::Abort`]); other commands have at most [`MAX_CONTROL_DATA`] bytes.
//! - DATALEN needs at least one digit (librelp would also take `1 close \n`; nobody sends it).

use std::fmt;

/// The hint that tells the client the server is closing the connection (TXNR 0, no data).
pub const SERVERCLOSE: &[u8] = b"0 serverclose 0\n";

/// The highest transaction number; the next one after it is 1.
pub const MAX_TXNR: u32 = 999_999_999;

/// The most data a frame other than `syslog` may carry (offers are a few hundred bytes).
pub const MAX_CONTROL_DATA: usize = 16 * 1024;

/// The highest RELP version this server answers (librelp itself speaks 0).
pub const RELP_VERSION: u32 = 1;

/// What the open answer names as `relp_software`.
pub const SOFTWARE: &str = concat!("mutt,", env!("CARGO_PKG_VERSION"));

/// The most digits of TXNR and DATALEN (`relpframe.c`).
const MAX_DIGITS: usize = 9;

/// The most letters of a command (`relpframe.c`).
const MAX_COMMAND_LEN: usize = 32;

/// The most values one offer may have (`offers.h`).
const MAX_OFFER_VALUES: usize = 64;

/// What to do with a `syslog` frame whose data is longer than the maximum message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Oversize {
    /// Deliver the first maximum-message bytes, flagged truncated; drop the rest unbuffered.
    Truncate,
    /// End the session with [`RelpError::DataTooLong`].
    Abort,
}

/// A RELP command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command<'a> {
    /// `open`: session start with the client's offers.
    Open,
    /// `syslog`: one message.
    Syslog,
    /// `close`: the client ends the session.
    Close,
    /// `rsp`: a response (only servers send them).
    Rsp,
    /// `serverclose`: the server's closing hint.
    Serverclose,
    /// Any other command.
    Other(&'a str),
}

impl<'a> Command<'a> {
    /// The command of these letters.
    fn from_name(name: &'a str) -> Self {
        match name {
            "open" => Command::Open,
            "syslog" => Command::Syslog,
            "close" => Command::Close,
            "rsp" => Command::Rsp,
            "serverclose" => Command::Serverclose,
            other => Command::Other(other),
        }
    }

    /// The command's name on the wire.
    pub fn as_str(&self) -> &'a str {
        match self {
            Command::Open => "open",
            Command::Syslog => "syslog",
            Command::Close => "close",
            Command::Rsp => "rsp",
            Command::Serverclose => "serverclose",
            Command::Other(name) => name,
        }
    }
}

impl fmt::Display for Command<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One decoded frame, borrowing the decoder's buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelpFrame<'a> {
    /// The transaction number (0 for hints).
    pub txnr: u32,
    /// The command.
    pub command: Command<'a>,
    /// The data, without the SP before it and the LF after it.
    pub data: &'a [u8],
    /// Whether the data is cut to the maximum message ([`Oversize::Truncate`]).
    pub truncated: bool,
}

/// A header field of a frame, for errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// TXNR.
    Txnr,
    /// COMMAND.
    Command,
    /// DATALEN.
    Datalen,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Field::Txnr => "transaction number",
            Field::Command => "command",
            Field::Datalen => "data length",
        })
    }
}

/// A framing error: the session cannot continue; send [`SERVERCLOSE`] and close.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RelpError {
    /// A header field holds a byte it may not, or is empty.
    #[error("RELP frame: {field} has byte 0x{found:02x} where it may not")]
    BadByte {
        /// The field.
        field: Field,
        /// The offending byte.
        found: u8,
    },
    /// A header field is longer than allowed (9 digits, 32 letters).
    #[error("RELP frame: {field} is too long")]
    FieldTooLong {
        /// The field.
        field: Field,
    },
    /// DATALEN is above the limit for the command.
    #[error("RELP frame: data length {datalen} is above the limit of {max} bytes")]
    DataTooLong {
        /// The announced data length.
        datalen: usize,
        /// The limit.
        max: usize,
    },
    /// The byte after the data is not LF.
    #[error("RELP frame: byte 0x{found:02x} where the trailing LF belongs")]
    MissingTrailer {
        /// The offending byte.
        found: u8,
    },
    /// The connection ended inside a frame.
    #[error("RELP frame: connection closed inside a frame ({buffered} bytes of it received)")]
    Incomplete {
        /// How many bytes of the unfinished frame had arrived.
        buffered: usize,
    },
}

/// A parsed header: the numbers and where the command and the data start.
struct Header {
    txnr: u32,
    command: (usize, usize),
    datalen: usize,
    /// Bytes through the SP after DATALEN (or its LF when DATALEN is 0).
    len: usize,
}

/// Where the decoder is inside the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Header,
    /// The rest of a truncated `syslog` frame's data.
    SkipData(usize),
    /// The LF after a truncated frame's data.
    Trailer,
}

/// A decoded frame as indices into the buffer.
struct Parsed {
    txnr: u32,
    command: (usize, usize),
    data: (usize, usize),
    truncated: bool,
}

/// The incremental RELP frame decoder of one connection.
#[derive(Debug)]
pub struct Decoder {
    buf: Vec<u8>,
    pos: usize,
    max_message: usize,
    oversize: Oversize,
    state: State,
    failed: Option<RelpError>,
}

impl Decoder {
    /// A decoder for `syslog` data of at most `max_message_bytes` bytes.
    pub fn new(max_message_bytes: usize, oversize: Oversize) -> Self {
        Decoder {
            buf: Vec::new(),
            pos: 0,
            max_message: max_message_bytes.max(1),
            oversize,
            state: State::Header,
            failed: None,
        }
    }

    /// How many received bytes are buffered and not yet part of a decoded frame.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Append bytes read from the connection.
    pub fn push(&mut self, mut data: &[u8]) {
        self.compact();
        // The rest of a truncated frame need not pass through the buffer at all.
        if let State::SkipData(remaining) = self.state {
            if self.buf.is_empty() {
                let n = remaining.min(data.len());
                self.state = if n == remaining {
                    State::Trailer
                } else {
                    State::SkipData(remaining - n)
                };
                data = &data[n..];
            }
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

    /// The next complete frame, `Ok(None)` when more bytes are needed. Errors stick.
    pub fn next_frame(&mut self) -> Result<Option<RelpFrame<'_>>, RelpError> {
        let parsed = match self.next_parsed() {
            Ok(parsed) => parsed,
            Err(e) => {
                self.failed = Some(e);
                return Err(e);
            }
        };
        Ok(parsed.map(|p| {
            // The command was checked to be ASCII letters, so it is UTF-8.
            let name = std::str::from_utf8(&self.buf[p.command.0..p.command.1]).unwrap_or("");
            RelpFrame {
                txnr: p.txnr,
                command: Command::from_name(name),
                data: &self.buf[p.data.0..p.data.1],
                truncated: p.truncated,
            }
        }))
    }

    /// At the end of the stream: an error if it ended inside a frame (call after
    /// [`next_frame`](Self::next_frame) returned `Ok(None)`).
    pub fn finish(&self) -> Result<(), RelpError> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        if self.buffered() > 0 || self.state != State::Header {
            return Err(RelpError::Incomplete {
                buffered: self.buffered(),
            });
        }
        Ok(())
    }

    fn compact(&mut self) {
        if self.pos == self.buf.len() {
            self.buf.clear();
        } else if self.pos > 0 {
            self.buf.drain(..self.pos);
        }
        self.pos = 0;
    }

    fn next_parsed(&mut self) -> Result<Option<Parsed>, RelpError> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        loop {
            match self.state {
                State::SkipData(remaining) => {
                    let n = remaining.min(self.buf.len() - self.pos);
                    self.pos += n;
                    if n < remaining {
                        self.state = State::SkipData(remaining - n);
                        return Ok(None);
                    }
                    self.state = State::Trailer;
                }
                State::Trailer => {
                    let Some(&b) = self.buf.get(self.pos) else {
                        return Ok(None);
                    };
                    if b != b'\n' {
                        return Err(RelpError::MissingTrailer { found: b });
                    }
                    self.pos += 1;
                    self.state = State::Header;
                }
                State::Header => return self.frame(),
            }
        }
    }

    fn frame(&mut self) -> Result<Option<Parsed>, RelpError> {
        let rest = &self.buf[self.pos..];
        let Some(h) = parse_header(rest)? else {
            return Ok(None);
        };
        let at = self.pos;
        let command = (at + h.command.0, at + h.command.1);
        let data_start = at + h.len;
        if h.datalen == 0 {
            self.pos = data_start;
            return Ok(Some(Parsed {
                txnr: h.txnr,
                command,
                data: (data_start, data_start),
                truncated: false,
            }));
        }
        let syslog = &rest[h.command.0..h.command.1] == b"syslog";
        let limit = if syslog {
            self.max_message
        } else {
            MAX_CONTROL_DATA
        };
        if h.datalen > limit {
            if !(syslog && self.oversize == Oversize::Truncate) {
                return Err(RelpError::DataTooLong {
                    datalen: h.datalen,
                    max: limit,
                });
            }
            if rest.len() < h.len + limit {
                return Ok(None);
            }
            self.pos = data_start + limit;
            self.state = State::SkipData(h.datalen - limit);
            return Ok(Some(Parsed {
                txnr: h.txnr,
                command,
                data: (data_start, data_start + limit),
                truncated: true,
            }));
        }
        let Some(&trailer) = rest.get(h.len + h.datalen) else {
            return Ok(None);
        };
        if trailer != b'\n' {
            return Err(RelpError::MissingTrailer { found: trailer });
        }
        self.pos = data_start + h.datalen + 1;
        Ok(Some(Parsed {
            txnr: h.txnr,
            command,
            data: (data_start, data_start + h.datalen),
            truncated: false,
        }))
    }
}

/// Up to 9 digits at `buf[start..]`: the value and the index of the byte after them, `None`
/// when the buffer ends first.
fn digits(buf: &[u8], start: usize, field: Field) -> Result<Option<(u32, usize)>, RelpError> {
    let mut value = 0u32;
    let mut i = start;
    loop {
        let Some(&b) = buf.get(i) else {
            return Ok(None);
        };
        if !b.is_ascii_digit() {
            if i == start {
                return Err(RelpError::BadByte { field, found: b });
            }
            return Ok(Some((value, i)));
        }
        if i - start == MAX_DIGITS {
            return Err(RelpError::FieldTooLong { field });
        }
        value = value * 10 + u32::from(b - b'0');
        i += 1;
    }
}

/// The header at the start of `buf`, `None` when it is not complete yet.
fn parse_header(buf: &[u8]) -> Result<Option<Header>, RelpError> {
    let Some((txnr, i)) = digits(buf, 0, Field::Txnr)? else {
        return Ok(None);
    };
    if buf[i] != b' ' {
        return Err(RelpError::BadByte {
            field: Field::Txnr,
            found: buf[i],
        });
    }
    let cmd_start = i + 1;
    let mut j = cmd_start;
    loop {
        let Some(&b) = buf.get(j) else {
            return Ok(None);
        };
        match b {
            b' ' if j > cmd_start => break,
            b'a'..=b'z' | b'A'..=b'Z' => {
                if j - cmd_start == MAX_COMMAND_LEN {
                    return Err(RelpError::FieldTooLong {
                        field: Field::Command,
                    });
                }
                j += 1;
            }
            _ => {
                return Err(RelpError::BadByte {
                    field: Field::Command,
                    found: b,
                })
            }
        }
    }
    let Some((datalen, k)) = digits(buf, j + 1, Field::Datalen)? else {
        return Ok(None);
    };
    let after = buf[k];
    if datalen == 0 {
        if after != b'\n' {
            return Err(RelpError::MissingTrailer { found: after });
        }
    } else if after != b' ' {
        return Err(RelpError::BadByte {
            field: Field::Datalen,
            found: after,
        });
    }
    Ok(Some(Header {
        txnr,
        command: (cmd_start, j),
        datalen: datalen as usize,
        len: k + 1,
    }))
}

/// The transaction number after `txnr`: one more, and 1 after [`MAX_TXNR`].
pub fn next_txnr(txnr: u32) -> u32 {
    if txnr >= MAX_TXNR {
        1
    } else {
        txnr + 1
    }
}

/// Append `n` in decimal.
fn push_decimal(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// Append the header up to and including the SP before the data (or the LF when there is none).
fn write_header(out: &mut Vec<u8>, txnr: u32, command: &str, datalen: usize) {
    debug_assert!(txnr <= MAX_TXNR, "txnr {txnr} has more than 9 digits");
    debug_assert!(
        !command.is_empty()
            && command.len() <= MAX_COMMAND_LEN
            && command.bytes().all(|b| b.is_ascii_alphabetic()),
        "bad RELP command {command:?}"
    );
    push_decimal(out, u64::from(txnr));
    out.push(b' ');
    out.extend_from_slice(command.as_bytes());
    out.push(b' ');
    push_decimal(out, datalen as u64);
    out.push(if datalen == 0 { b'\n' } else { b' ' });
}

/// Append one frame: `TXNR SP COMMAND SP DATALEN [SP DATA] LF`.
pub fn write_frame(out: &mut Vec<u8>, txnr: u32, command: &str, data: &[u8]) {
    write_header(out, txnr, command, data.len());
    if !data.is_empty() {
        out.extend_from_slice(data);
        out.push(b'\n');
    }
}

/// Append a response: data `CODE SP TEXT`, then LF and `extra` when `extra` is not empty.
pub fn write_rsp(out: &mut Vec<u8>, txnr: u32, code: u16, text: &str, extra: &[u8]) {
    debug_assert!(
        (100..=999).contains(&code),
        "rsp code {code} is not 3 digits"
    );
    // librelp's client reads at most 80 characters of text and stops at LF (scrsp.c).
    debug_assert!(
        text.len() <= 80 && !text.contains('\n'),
        "rsp text {text:?}"
    );
    let mut datalen = 4 + text.len();
    if !extra.is_empty() {
        datalen += 1 + extra.len();
    }
    write_header(out, txnr, "rsp", datalen);
    push_decimal(out, u64::from(code));
    out.push(b' ');
    out.extend_from_slice(text.as_bytes());
    if !extra.is_empty() {
        out.push(b'\n');
        out.extend_from_slice(extra);
    }
    out.push(b'\n');
}

/// A response frame; see [`write_rsp`].
pub fn rsp(txnr: u32, code: u16, text: &str, extra: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(24 + text.len() + extra.len());
    write_rsp(&mut out, txnr, code, text, extra);
    out
}

/// Append the acknowledgement of a stored message: `TXNR rsp 6 200 OK`.
pub fn write_ok(out: &mut Vec<u8>, txnr: u32) {
    write_rsp(out, txnr, 200, "OK", b"");
}

/// The answer to `open`: `200 OK` and the offers relp_version, relp_software, commands=syslog.
pub fn open_rsp(txnr: u32, relp_version: u32) -> Vec<u8> {
    let mut offers = Vec::with_capacity(64);
    offers.extend_from_slice(b"relp_version=");
    push_decimal(&mut offers, u64::from(relp_version));
    offers.extend_from_slice(b"\nrelp_software=");
    offers.extend_from_slice(SOFTWARE.as_bytes());
    offers.extend_from_slice(b"\ncommands=syslog");
    rsp(txnr, 200, "OK", &offers)
}

/// The `serverclose` hint, sent before the server closes the connection.
pub fn serverclose() -> Vec<u8> {
    SERVERCLOSE.to_vec()
}

/// The offers of a client's `open` that the server looks at.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Offers<'a> {
    /// The `relp_version` offer's value, if offered.
    pub relp_version: Option<u32>,
    /// The `commands` offer's values.
    pub commands: Vec<&'a [u8]>,
    /// The `relp_software` offer's values (name, version, URL), for logs.
    pub software: Vec<&'a [u8]>,
}

impl Offers<'_> {
    /// Whether the client offers the `syslog` command.
    pub fn offers_syslog(&self) -> bool {
        self.commands.iter().any(|c| *c == b"syslog")
    }
}

/// Parse an `open` frame's data: `name[=value[,value…]]` lines joined by LF.
pub fn parse_offers(data: &[u8]) -> Result<Offers<'_>, ProtocolError> {
    let mut offers = Offers::default();
    for line in data.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let (name, values) = match line.iter().position(|&b| b == b'=') {
            Some(eq) => (&line[..eq], &line[eq + 1..]),
            None => (line, &b""[..]),
        };
        // Empty values are not values (offers.c sets a value only when it has characters).
        let values: Vec<&[u8]> = values
            .split(|&b| b == b',')
            .filter(|v| !v.is_empty())
            .collect();
        if values.len() > MAX_OFFER_VALUES {
            return Err(ProtocolError::TooManyOfferValues);
        }
        match name {
            b"relp_version" => {
                let version = values
                    .first()
                    .filter(|v| v.iter().all(u8::is_ascii_digit))
                    .ok_or(ProtocolError::BadVersionOffer)?;
                // Saturate: any huge version is capped at ours anyway.
                let n = version.iter().fold(0u32, |n, &d| {
                    n.saturating_mul(10).saturating_add(u32::from(d - b'0'))
                });
                offers.relp_version = Some(n);
            }
            b"commands" => offers.commands.extend(values),
            b"relp_software" => offers.software = values,
            // Unknown offers are ignored, as librelp does.
            _ => {}
        }
    }
    Ok(offers)
}

/// A protocol error of a session; the caller logs it with the peer's address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    /// A TXNR other than the next one.
    #[error("transaction number {got} out of sequence (expected {expected})")]
    TxnrOutOfSequence {
        /// The next transaction number.
        expected: u32,
        /// The one received.
        got: u32,
    },
    /// `syslog` before a successful `open`.
    #[error("syslog before open")]
    NotOpen,
    /// A second `open`.
    #[error("open on an already open session")]
    AlreadyOpen,
    /// The client does not offer `commands=syslog`.
    #[error("client does not offer commands=syslog")]
    NoSyslogOffer,
    /// The `relp_version` offer has no numeric value.
    #[error("relp_version offer is not a number")]
    BadVersionOffer,
    /// An offer with more than 64 values.
    #[error("offer with more than {MAX_OFFER_VALUES} values")]
    TooManyOfferValues,
    /// A command a client may not send (`rsp`, or `serverclose` with a TXNR).
    #[error("command {command} is not a client command")]
    UnexpectedCommand {
        /// The command.
        command: String,
    },
    /// A command RELP does not know.
    #[error("unknown command {command}")]
    UnknownCommand {
        /// The command.
        command: String,
    },
    /// A hint (TXNR 0) other than `serverclose`.
    #[error("unsupported hint {command}")]
    UnknownHint {
        /// The command.
        command: String,
    },
    /// A frame after the session ended.
    #[error("frame after the session was closed")]
    Closed,
}

/// What the caller does with a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action<'a> {
    /// Send these bytes and go on.
    Reply(Vec<u8>),
    /// Store the message, then acknowledge it with [`write_ok`]`(txnr)`. Acknowledgements may go
    /// in any order; sending them in TXNR order costs nothing and reads better in a capture. If
    /// it cannot be stored, do not answer 500 (the client drops the message): send
    /// [`SERVERCLOSE`] and close, and the client resends every unacknowledged message.
    Deliver {
        /// The frame's transaction number.
        txnr: u32,
        /// The message as the client's template rendered it.
        message: &'a [u8],
        /// Whether it was cut to the maximum message.
        truncated: bool,
    },
    /// The client closes: acknowledge every earlier delivery, send these bytes (may be empty),
    /// then close the connection.
    Close(Vec<u8>),
    /// A protocol error: send these bytes (an optional 500 answer, then [`SERVERCLOSE`]), close
    /// the connection and log the error.
    Abort {
        /// What to send before closing.
        reply: Vec<u8>,
        /// What went wrong.
        error: ProtocolError,
    },
}

/// Where a session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SessionState {
    AwaitOpen,
    Open,
    Closed,
}

/// The server side of one RELP session, without I/O.
#[derive(Debug)]
pub struct Session {
    state: SessionState,
    expected_txnr: u32,
    relp_version: Option<u32>,
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

impl Session {
    /// A session waiting for the client's `open`.
    pub fn new() -> Self {
        Session {
            state: SessionState::AwaitOpen,
            expected_txnr: 1,
            relp_version: None,
        }
    }

    /// Whether `open` succeeded and the session has not ended.
    pub fn is_open(&self) -> bool {
        self.state == SessionState::Open
    }

    /// The RELP version agreed at `open`.
    pub fn relp_version(&self) -> Option<u32> {
        self.relp_version
    }

    /// End the session from the server side (daemon shutdown, storage failure): the bytes to
    /// send before closing the connection.
    pub fn server_close(&mut self) -> &'static [u8] {
        self.state = SessionState::Closed;
        SERVERCLOSE
    }

    /// What to do with the next frame from the client.
    pub fn on_frame<'a>(&mut self, frame: RelpFrame<'a>) -> Action<'a> {
        if self.state == SessionState::Closed {
            return Action::Abort {
                reply: Vec::new(),
                error: ProtocolError::Closed,
            };
        }
        if frame.txnr == 0 {
            return match frame.command {
                // The client says it is going away; librelp answers nothing and closes.
                Command::Serverclose => {
                    self.state = SessionState::Closed;
                    Action::Close(Vec::new())
                }
                other => self.abort(
                    Vec::new(),
                    ProtocolError::UnknownHint {
                        command: other.to_string(),
                    },
                ),
            };
        }
        if frame.txnr != self.expected_txnr {
            let error = ProtocolError::TxnrOutOfSequence {
                expected: self.expected_txnr,
                got: frame.txnr,
            };
            return self.abort(Vec::new(), error);
        }
        self.expected_txnr = next_txnr(self.expected_txnr);
        let txnr = frame.txnr;
        match frame.command {
            Command::Open => self.open(txnr, frame.data),
            Command::Syslog if self.state == SessionState::Open => Action::Deliver {
                txnr,
                message: frame.data,
                truncated: frame.truncated,
            },
            Command::Syslog => self.abort(
                rsp(txnr, 500, "command disabled", b""),
                ProtocolError::NotOpen,
            ),
            Command::Close => {
                self.state = SessionState::Closed;
                Action::Close(rsp(txnr, 200, "OK", b""))
            }
            Command::Rsp | Command::Serverclose => self.abort(
                Vec::new(),
                ProtocolError::UnexpectedCommand {
                    command: frame.command.to_string(),
                },
            ),
            Command::Other(name) => self.abort(
                Vec::new(),
                ProtocolError::UnknownCommand {
                    command: name.to_string(),
                },
            ),
        }
    }

    fn open<'a>(&mut self, txnr: u32, data: &[u8]) -> Action<'a> {
        if self.state == SessionState::Open {
            let reply = rsp(txnr, 500, "protocol error: connection already open", b"");
            return self.abort(reply, ProtocolError::AlreadyOpen);
        }
        let offers = match parse_offers(data) {
            Ok(offers) => offers,
            Err(error) => return self.abort(rsp(txnr, 500, "invalid offers", b""), error),
        };
        if !offers.offers_syslog() {
            let reply = rsp(txnr, 500, "required command not supported by client", b"");
            return self.abort(reply, ProtocolError::NoSyslogOffer);
        }
        // Never above the client's: librelp's client refuses a higher version.
        let version = offers.relp_version.unwrap_or(0).min(RELP_VERSION);
        self.relp_version = Some(version);
        self.state = SessionState::Open;
        Action::Reply(open_rsp(txnr, version))
    }

    fn abort<'a>(&mut self, mut reply: Vec<u8>, error: ProtocolError) -> Action<'a> {
        self.state = SessionState::Closed;
        reply.extend_from_slice(SERVERCLOSE);
        Action::Abort { reply, error }
    }
}

#[cfg(test)]
mod tests;
