use super::*;

/// A decoded frame, owned, for comparing outcomes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Owned {
    txnr: u32,
    command: String,
    data: Vec<u8>,
    truncated: bool,
}

fn owned(txnr: u32, command: &str, data: &[u8], truncated: bool) -> Owned {
    Owned {
        txnr,
        command: command.to_string(),
        data: data.to_vec(),
        truncated,
    }
}

/// What decoding a stream gave: the frames, then the error that stopped it, if any.
type Decoded = (Vec<Owned>, Option<RelpError>);

/// One decoder case: name, maximum message, oversize mode, input, and the expected outcome.
type Case<'a> = (
    &'a str,
    usize,
    Oversize,
    &'a [u8],
    Vec<Owned>,
    Option<RelpError>,
);

/// Decode `chunks` (alternating `push` and `buffer_for_read`): frames, then the error, if any.
fn decode(max: usize, oversize: Oversize, chunks: &[&[u8]]) -> Decoded {
    let mut d = Decoder::new(max, oversize);
    let mut frames = Vec::new();
    for (i, chunk) in chunks.iter().enumerate() {
        if i % 2 == 0 {
            d.push(chunk);
        } else {
            d.buffer_for_read(chunk.len()).extend_from_slice(chunk);
        }
        loop {
            match d.next_frame() {
                Ok(Some(f)) => frames.push(owned(f.txnr, f.command.as_str(), f.data, f.truncated)),
                Ok(None) => break,
                Err(e) => {
                    assert_eq!(d.next_frame(), Err(e), "errors stick");
                    return (frames, Some(e));
                }
            }
        }
    }
    (frames, d.finish().err())
}

/// Decode the stream whole, byte by byte and split at every point: all must agree.
fn decode_all_splits(max: usize, oversize: Oversize, input: &[u8]) -> Decoded {
    let whole = decode(max, oversize, &[input]);
    let bytes: Vec<&[u8]> = input.chunks(1).collect();
    assert_eq!(
        decode(max, oversize, &bytes),
        whole,
        "byte by byte: {input:?}"
    );
    for cut in 0..=input.len() {
        let (a, b) = input.split_at(cut);
        assert_eq!(
            decode(max, oversize, &[a, b]),
            whole,
            "split at {cut}: {input:?}"
        );
    }
    whole
}

#[test]
fn decoder_table() {
    use Oversize::{Abort, Truncate};
    let long_open = format!("1 open {} ", MAX_CONTROL_DATA + 1);
    let cases: Vec<Case> = vec![
        (
            "open, syslog, close",
            64,
            Abort,
            b"1 open 14 relp_version=0\n2 syslog 4 <1>a\n3 close 0\n",
            vec![
                owned(1, "open", b"relp_version=0", false),
                owned(2, "syslog", b"<1>a", false),
                owned(3, "close", b"", false),
            ],
            None,
        ),
        (
            "data holds LF and NUL",
            64,
            Abort,
            b"7 syslog 5 a\nb\0\n\n",
            vec![owned(7, "syslog", b"a\nb\0\n", false)],
            None,
        ),
        (
            "leading zeros",
            64,
            Abort,
            b"01 syslog 01 x\n",
            vec![owned(1, "syslog", b"x", false)],
            None,
        ),
        (
            "nine digits",
            64,
            Abort,
            b"999999999 close 0\n",
            vec![owned(999_999_999, "close", b"", false)],
            None,
        ),
        (
            "hint",
            64,
            Abort,
            b"0 serverclose 0\n",
            vec![owned(0, "serverclose", b"", false)],
            None,
        ),
        (
            "unknown command",
            64,
            Abort,
            b"1 starttls 0\n",
            vec![owned(1, "starttls", b"", false)],
            None,
        ),
        (
            "exactly max",
            4,
            Abort,
            b"2 syslog 4 abcd\n",
            vec![owned(2, "syslog", b"abcd", false)],
            None,
        ),
        (
            "truncated syslog",
            4,
            Truncate,
            b"2 syslog 10 0123456789\n3 syslog 2 ok\n",
            vec![
                owned(2, "syslog", b"0123", true),
                owned(3, "syslog", b"ok", false),
            ],
            None,
        ),
        (
            "truncated syslog, bad trailer",
            4,
            Truncate,
            b"2 syslog 6 012345X",
            vec![owned(2, "syslog", b"0123", true)],
            Some(RelpError::MissingTrailer { found: b'X' }),
        ),
        (
            "oversize syslog aborts",
            4,
            Abort,
            b"2 syslog 5 ",
            vec![],
            Some(RelpError::DataTooLong { datalen: 5, max: 4 }),
        ),
        (
            "oversize open aborts even when truncating",
            4,
            Truncate,
            long_open.as_bytes(),
            vec![],
            Some(RelpError::DataTooLong {
                datalen: MAX_CONTROL_DATA + 1,
                max: MAX_CONTROL_DATA,
            }),
        ),
        (
            "txnr not a number",
            64,
            Abort,
            b"x open 0\n",
            vec![],
            Some(RelpError::BadByte {
                field: Field::Txnr,
                found: b'x',
            }),
        ),
        (
            "txnr without SP",
            64,
            Abort,
            b"1\topen 0\n",
            vec![],
            Some(RelpError::BadByte {
                field: Field::Txnr,
                found: b'\t',
            }),
        ),
        (
            "txnr of ten digits",
            64,
            Abort,
            b"1000000000 close 0\n",
            vec![],
            Some(RelpError::FieldTooLong { field: Field::Txnr }),
        ),
        (
            "empty command",
            64,
            Abort,
            b"1  0\n",
            vec![],
            Some(RelpError::BadByte {
                field: Field::Command,
                found: b' ',
            }),
        ),
        (
            "command with a digit",
            64,
            Abort,
            b"1 op3n 0\n",
            vec![],
            Some(RelpError::BadByte {
                field: Field::Command,
                found: b'3',
            }),
        ),
        (
            "command of 33 letters",
            64,
            Abort,
            b"1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 0\n",
            vec![],
            Some(RelpError::FieldTooLong {
                field: Field::Command,
            }),
        ),
        (
            "zero datalen then SP",
            64,
            Abort,
            b"1 close 0 \n",
            vec![],
            Some(RelpError::MissingTrailer { found: b' ' }),
        ),
        (
            "datalen then LF",
            64,
            Abort,
            b"1 syslog 5\n",
            vec![],
            Some(RelpError::BadByte {
                field: Field::Datalen,
                found: b'\n',
            }),
        ),
        (
            "no datalen",
            64,
            Abort,
            b"1 close \n",
            vec![],
            Some(RelpError::BadByte {
                field: Field::Datalen,
                found: b'\n',
            }),
        ),
        (
            "datalen of ten digits",
            64,
            Abort,
            b"1 syslog 1000000000 ",
            vec![],
            Some(RelpError::FieldTooLong {
                field: Field::Datalen,
            }),
        ),
        (
            "data longer than datalen",
            64,
            Abort,
            b"1 syslog 2 abc\n",
            vec![],
            Some(RelpError::MissingTrailer { found: b'c' }),
        ),
        (
            "end inside a frame",
            64,
            Abort,
            b"1 close 0\n2 syslog 5 ab",
            vec![owned(1, "close", b"", false)],
            Some(RelpError::Incomplete { buffered: 13 }),
        ),
        (
            "end inside a truncated rest",
            4,
            Truncate,
            b"2 syslog 10 012345",
            vec![owned(2, "syslog", b"0123", true)],
            Some(RelpError::Incomplete { buffered: 0 }),
        ),
    ];
    for (name, max, oversize, input, frames, error) in cases {
        assert_eq!(
            decode_all_splits(max, oversize, input),
            (frames, error),
            "{name}"
        );
    }
}

#[test]
fn the_rest_of_a_truncated_frame_is_not_buffered() {
    let mut d = Decoder::new(100, Oversize::Truncate);
    d.push(b"1 syslog 5000000 ");
    let chunk = vec![b'x'; 64 * 1024];
    let mut truncated = 0;
    for _ in 0..40 {
        d.push(&chunk);
        while let Some(f) = d.next_frame().unwrap() {
            assert!(f.truncated && f.data.len() == 100);
            truncated += 1;
        }
        assert!(d.buffered() <= 64 * 1024, "{} bytes buffered", d.buffered());
    }
    assert_eq!(truncated, 1);
}

#[test]
fn encoders_write_exact_bytes() {
    assert_eq!(rsp(6, 200, "OK", b""), b"6 rsp 6 200 OK\n");
    assert_eq!(
        rsp(2, 500, "command disabled", b""),
        b"2 rsp 20 500 command disabled\n"
    );
    assert_eq!(rsp(3, 200, "OK", b"a=b"), b"3 rsp 10 200 OK\na=b\n");
    assert_eq!(rsp(4, 200, "", b""), b"4 rsp 4 200 \n");
    let mut out = Vec::new();
    write_ok(&mut out, 999_999_999);
    write_ok(&mut out, 10);
    assert_eq!(out, b"999999999 rsp 6 200 OK\n10 rsp 6 200 OK\n");
    let mut out = Vec::new();
    write_frame(&mut out, 5, "close", b"");
    write_frame(&mut out, 6, "syslog", b"<1>x");
    assert_eq!(out, b"5 close 0\n6 syslog 4 <1>x\n");
    assert_eq!(serverclose(), b"0 serverclose 0\n");
    assert_eq!(SERVERCLOSE, b"0 serverclose 0\n");
    let offers = format!("200 OK\nrelp_version=0\nrelp_software={SOFTWARE}\ncommands=syslog");
    let want = format!("1 rsp {} {offers}\n", offers.len());
    assert_eq!(String::from_utf8(open_rsp(1, 0)).unwrap(), want);
}

#[test]
fn our_frames_decode_back() {
    let mut stream = open_rsp(1, 1);
    write_ok(&mut stream, 2);
    stream.extend_from_slice(&rsp(3, 500, "no", b"x\ny"));
    stream.extend_from_slice(SERVERCLOSE);
    let (frames, error) = decode_all_splits(64, Oversize::Abort, &stream);
    assert_eq!(error, None);
    let want_open = format!("200 OK\nrelp_version=1\nrelp_software={SOFTWARE}\ncommands=syslog");
    assert_eq!(
        frames,
        vec![
            owned(1, "rsp", want_open.as_bytes(), false),
            owned(2, "rsp", b"200 OK", false),
            owned(3, "rsp", b"500 no\nx\ny", false),
            owned(0, "serverclose", b"", false),
        ]
    );
}

#[test]
fn librelp_answers_have_our_shape() {
    // imrelp's answers to omrelp (librelp 1.11.0): the same frames as ours but for relp_software
    // and for close, which librelp answers with empty data and a serverclose.
    let (frames, error) = decode_all_splits(
        8096,
        Oversize::Abort,
        include_bytes!("../../../tests/fixtures/relp/imrelp.server.bin"),
    );
    assert_eq!(error, None);
    let theirs = &frames[0].data;
    assert_eq!(
        theirs,
        b"200 OK\nrelp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog"
    );
    let ours = open_rsp(1, 0);
    let (ours, _) = decode(64, Oversize::Abort, &[&ours]);
    let strip_software = |d: &[u8]| -> Vec<Vec<u8>> {
        d.split(|&b| b == b'\n')
            .filter(|l| !l.starts_with(b"relp_software="))
            .map(<[u8]>::to_vec)
            .collect()
    };
    assert_eq!(strip_software(&ours[0].data), strip_software(theirs));
    let acks: Vec<_> = frames[1..4].to_vec();
    assert_eq!(
        acks,
        (2..=4)
            .map(|t| owned(t, "rsp", b"200 OK", false))
            .collect::<Vec<_>>()
    );
    assert_eq!(frames[4], owned(5, "rsp", b"", false));
    assert_eq!(frames[5], owned(0, "serverclose", b"", false));
}

/// Run a client's bytes through decoder and session, acknowledging every delivery at once:
/// the server's bytes, the messages delivered, and how the session ended.
fn serve(client: &[u8], chunk: usize) -> (Vec<u8>, Vec<Vec<u8>>, Option<String>) {
    let mut decoder = Decoder::new(8096, Oversize::Truncate);
    let mut session = Session::new();
    let mut server = Vec::new();
    let mut messages = Vec::new();
    for piece in client.chunks(chunk) {
        decoder.push(piece);
        while let Some(frame) = decoder.next_frame().expect("client bytes decode") {
            match session.on_frame(frame) {
                Action::Reply(bytes) => server.extend_from_slice(&bytes),
                Action::Deliver { txnr, message, .. } => {
                    messages.push(message.to_vec());
                    write_ok(&mut server, txnr);
                }
                Action::Close(bytes) => {
                    server.extend_from_slice(&bytes);
                    return (server, messages, Some("close".into()));
                }
                Action::Abort { reply, error } => {
                    server.extend_from_slice(&reply);
                    return (server, messages, Some(error.to_string()));
                }
            }
        }
    }
    (server, messages, None)
}

#[test]
fn omrelp_sessions_from_captures() {
    let answer = |version: u32| {
        let mut a = open_rsp(1, version);
        for t in 2..=4 {
            write_ok(&mut a, t);
        }
        a.extend_from_slice(b"5 rsp 6 200 OK\n");
        a
    };
    let cases: [(&[u8], Vec<&[u8]>); 2] = [
        (
            include_bytes!("../../../tests/fixtures/relp/omrelp-forwardformat.client.bin"),
            vec![
                b"<13>2024-01-02T03:04:05.000001Z host1 app[123] first message",
                "<165>2024-01-02T03:04:06Z host1 app[123] second message café".as_bytes(),
                b"<14>2024-01-02T03:04:07Z host2 other third message with trailing spaces   ",
            ],
        ),
        (
            include_bytes!("../../../tests/fixtures/relp/omrelp-protocol23.client.bin"),
            vec![
                b"<13>1 2024-01-02T03:04:05.000001Z host1 app 123 ID1 - first message\n",
                "<165>1 2024-01-02T03:04:06Z host1 app 123 ID2 [ex@32473 k=\"v\"] second message café\n"
                    .as_bytes(),
                b"<14>1 2024-01-02T03:04:07Z host2 other - - - third message with trailing spaces   \n",
            ],
        ),
    ];
    for (client, want) in cases {
        for chunk in [1, 7, client.len()] {
            let (server, messages, end) = serve(client, chunk);
            assert_eq!(server, answer(0), "chunk {chunk}");
            assert_eq!(messages, want);
            assert_eq!(end.as_deref(), Some("close"));
        }
    }
}

#[test]
fn omrelp_resend_after_serverclose() {
    // The connection after a serverclose: a new open, then the unacknowledged messages again,
    // renumbered from 2.
    let client =
        include_bytes!("../../../tests/fixtures/relp/omrelp-resend-after-serverclose.client.bin");
    let (server, messages, end) = serve(client, 5);
    assert_eq!(end.as_deref(), Some("close"));
    let tails: Vec<String> = messages
        .iter()
        .map(|m| {
            String::from_utf8_lossy(m)
                .rsplit(" - - ")
                .next()
                .unwrap()
                .trim_end()
                .to_string()
        })
        .collect();
    assert_eq!(
        tails,
        [
            "serverclose message 2",
            "serverclose message 3",
            "serverclose message 4",
            "second message 0",
            "second message 1"
        ]
    );
    let mut want = open_rsp(1, 0);
    for t in 2..=7 {
        write_ok(&mut want, t);
    }
    assert_eq!(server, want);
}

const OPEN: &[u8] =
    b"relp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog";

fn frame<'a>(txnr: u32, command: &'a str, data: &'a [u8]) -> RelpFrame<'a> {
    RelpFrame {
        txnr,
        command: Command::from_name(command),
        data,
        truncated: false,
    }
}

fn abort(reply_rsp: Option<Vec<u8>>, error: ProtocolError) -> Action<'static> {
    let mut reply = reply_rsp.unwrap_or_default();
    reply.extend_from_slice(SERVERCLOSE);
    Action::Abort { reply, error }
}

#[test]
fn session_table() {
    let open = || frame(1, "open", OPEN);
    let cases: Vec<(&str, Vec<RelpFrame>, Action)> = vec![
        (
            "syslog delivered",
            vec![open(), frame(2, "syslog", b"<1>m")],
            Action::Deliver {
                txnr: 2,
                message: b"<1>m",
                truncated: false,
            },
        ),
        (
            "truncation passed on",
            vec![
                open(),
                RelpFrame {
                    truncated: true,
                    ..frame(2, "syslog", b"<1>m")
                },
            ],
            Action::Deliver {
                txnr: 2,
                message: b"<1>m",
                truncated: true,
            },
        ),
        (
            "syslog before open",
            vec![frame(1, "syslog", b"<1>m")],
            abort(
                Some(rsp(1, 500, "command disabled", b"")),
                ProtocolError::NotOpen,
            ),
        ),
        (
            "open twice",
            vec![open(), frame(2, "open", OPEN)],
            abort(
                Some(rsp(2, 500, "protocol error: connection already open", b"")),
                ProtocolError::AlreadyOpen,
            ),
        ),
        (
            "no syslog offered",
            vec![frame(1, "open", b"relp_version=0\ncommands=")],
            abort(
                Some(rsp(1, 500, "required command not supported by client", b"")),
                ProtocolError::NoSyslogOffer,
            ),
        ),
        (
            "empty open",
            vec![frame(1, "open", b"")],
            abort(
                Some(rsp(1, 500, "required command not supported by client", b"")),
                ProtocolError::NoSyslogOffer,
            ),
        ),
        (
            "bad version offer",
            vec![frame(1, "open", b"relp_version=x\ncommands=syslog")],
            abort(
                Some(rsp(1, 500, "invalid offers", b"")),
                ProtocolError::BadVersionOffer,
            ),
        ),
        (
            "txnr gap",
            vec![open(), frame(3, "syslog", b"x")],
            abort(
                None,
                ProtocolError::TxnrOutOfSequence {
                    expected: 2,
                    got: 3,
                },
            ),
        ),
        (
            "txnr repeated",
            vec![open(), frame(2, "syslog", b"x"), frame(2, "syslog", b"x")],
            abort(
                None,
                ProtocolError::TxnrOutOfSequence {
                    expected: 3,
                    got: 2,
                },
            ),
        ),
        (
            "first txnr not 1",
            vec![frame(2, "open", OPEN)],
            abort(
                None,
                ProtocolError::TxnrOutOfSequence {
                    expected: 1,
                    got: 2,
                },
            ),
        ),
        (
            "unknown command",
            vec![open(), frame(2, "starttls", b"")],
            abort(
                None,
                ProtocolError::UnknownCommand {
                    command: "starttls".into(),
                },
            ),
        ),
        (
            "rsp from the client",
            vec![open(), frame(2, "rsp", b"200 OK")],
            abort(
                None,
                ProtocolError::UnexpectedCommand {
                    command: "rsp".into(),
                },
            ),
        ),
        (
            "serverclose with a txnr",
            vec![open(), frame(2, "serverclose", b"")],
            abort(
                None,
                ProtocolError::UnexpectedCommand {
                    command: "serverclose".into(),
                },
            ),
        ),
        (
            "client serverclose hint",
            vec![open(), frame(0, "serverclose", b"")],
            Action::Close(Vec::new()),
        ),
        (
            "other hint",
            vec![open(), frame(0, "syslog", b"x")],
            abort(
                None,
                ProtocolError::UnknownHint {
                    command: "syslog".into(),
                },
            ),
        ),
        (
            "close",
            vec![open(), frame(2, "close", b"")],
            Action::Close(b"2 rsp 6 200 OK\n".to_vec()),
        ),
        (
            "close before open",
            vec![frame(1, "close", b"")],
            Action::Close(b"1 rsp 6 200 OK\n".to_vec()),
        ),
        (
            "frame after close",
            vec![open(), frame(2, "close", b""), frame(3, "syslog", b"x")],
            Action::Abort {
                reply: Vec::new(),
                error: ProtocolError::Closed,
            },
        ),
    ];
    for (name, frames, want) in cases {
        let mut session = Session::new();
        let (last, before) = frames.split_last().unwrap();
        for f in before {
            assert!(
                !matches!(session.on_frame(*f), Action::Abort { .. }),
                "{name}: earlier frame aborted"
            );
        }
        assert_eq!(session.on_frame(*last), want, "{name}");
    }
}

#[test]
fn version_negotiation() {
    let cases: [(&[u8], u32); 5] = [
        (b"relp_version=0\ncommands=syslog", 0),
        (b"relp_version=1\ncommands=syslog", 1),
        (b"relp_version=5\ncommands=syslog", 1),
        (b"relp_version=99999999999999\ncommands=syslog", 1),
        (b"commands=syslog", 0),
    ];
    for (offers, version) in cases {
        let mut session = Session::new();
        assert_eq!(
            session.on_frame(frame(1, "open", offers)),
            Action::Reply(open_rsp(1, version)),
            "{offers:?}"
        );
        assert_eq!(session.relp_version(), Some(version));
        assert!(session.is_open());
    }
}

#[test]
fn offers_parse_like_librelp() {
    let o = parse_offers(OPEN).unwrap();
    assert_eq!(o.relp_version, Some(0));
    assert_eq!(o.commands, vec![&b"syslog"[..]]);
    assert_eq!(
        o.software,
        vec![&b"librelp"[..], b"1.11.0", b"http://librelp.adiscon.com"]
    );
    assert!(o.offers_syslog());
    let o = parse_offers(b"commands=foo,,syslog\nunknown=1\nflag\n").unwrap();
    assert!(o.offers_syslog());
    assert_eq!(o.relp_version, None);
    assert!(!parse_offers(b"commands=").unwrap().offers_syslog());
    assert!(!parse_offers(b"commands=Syslog").unwrap().offers_syslog());
    assert_eq!(
        parse_offers(b"relp_version="),
        Err(ProtocolError::BadVersionOffer)
    );
    assert_eq!(
        parse_offers(b"relp_version=1a"),
        Err(ProtocolError::BadVersionOffer)
    );
    let many = format!("commands={}", vec!["x"; 65].join(","));
    assert_eq!(
        parse_offers(many.as_bytes()),
        Err(ProtocolError::TooManyOfferValues)
    );
}

#[test]
fn server_close_and_txnr_wrap() {
    let mut session = Session::new();
    assert!(matches!(
        session.on_frame(frame(1, "open", OPEN)),
        Action::Reply(_)
    ));
    assert_eq!(session.server_close(), b"0 serverclose 0\n");
    assert!(!session.is_open());
    assert_eq!(next_txnr(1), 2);
    assert_eq!(next_txnr(MAX_TXNR - 1), MAX_TXNR);
    assert_eq!(next_txnr(MAX_TXNR), 1);
}

#[test]
fn errors_name_the_problem_without_payload() {
    let cases: [(String, &str); 5] = [
        (
            RelpError::BadByte {
                field: Field::Command,
                found: b'3',
            }
            .to_string(),
            "command has byte 0x33",
        ),
        (
            RelpError::FieldTooLong { field: Field::Txnr }.to_string(),
            "transaction number is too long",
        ),
        (
            RelpError::DataTooLong { datalen: 9, max: 4 }.to_string(),
            "data length 9 is above the limit of 4",
        ),
        (
            ProtocolError::TxnrOutOfSequence {
                expected: 2,
                got: 3,
            }
            .to_string(),
            "transaction number 3 out of sequence (expected 2)",
        ),
        (
            ProtocolError::NoSyslogOffer.to_string(),
            "does not offer commands=syslog",
        ),
    ];
    for (text, want) in cases {
        assert!(text.contains(want), "{text}");
    }
}

#[test]
fn random_streams_split_anywhere_agree() {
    // Mutations of a valid session: no panic, and every way of cutting them agrees.
    let base: &[u8] =
        b"1 open 14 relp_version=0\n2 syslog 4 <1>a\n3 syslog 10 0123456789\n4 close 0\n";
    let alphabet = b"0123456789 \n\rxs";
    let mut seed = 0x8765_4321u32;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed as usize
    };
    for _ in 0..300 {
        let mut input = base.to_vec();
        for _ in 0..1 + next() % 3 {
            let at = next() % input.len();
            match next() % 3 {
                0 => input[at] = alphabet[next() % alphabet.len()],
                1 => input.insert(at, alphabet[next() % alphabet.len()]),
                _ => {
                    input.remove(at);
                }
            }
        }
        for (max, oversize) in [
            (4, Oversize::Truncate),
            (4, Oversize::Abort),
            (64, Oversize::Abort),
        ] {
            decode_all_splits(max, oversize, &input);
        }
    }
}
