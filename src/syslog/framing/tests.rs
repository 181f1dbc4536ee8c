use super::*;

/// What a de-framer made of a whole stream: the frames, then the error that stopped it, if any.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    frames: Vec<(Vec<u8>, bool)>,
    error: Option<FrameError>,
}

/// Feed `chunks` (alternating `push` and `buffer_for_read`, which must not differ), draining
/// frames after each, then finish the stream.
fn run(max: usize, chunks: &[&[u8]]) -> Outcome {
    let mut d = Deframer::new(max);
    let mut frames = Vec::new();
    let drain = |d: &mut Deframer, frames: &mut Vec<(Vec<u8>, bool)>| loop {
        match d.next_frame() {
            Ok(Some(f)) => frames.push((f.message.to_vec(), f.truncated)),
            Ok(None) => return None,
            Err(e) => return Some(e),
        }
    };
    for (i, chunk) in chunks.iter().enumerate() {
        if i % 2 == 0 {
            d.push(chunk);
        } else {
            d.buffer_for_read(chunk.len()).extend_from_slice(chunk);
        }
        if let Some(e) = drain(&mut d, &mut frames) {
            // Errors stick: the connection is finished.
            assert_eq!(d.next_frame(), Err(e));
            return Outcome {
                frames,
                error: Some(e),
            };
        }
    }
    let error = match d.finish() {
        Ok(Some(f)) => {
            frames.push((f.message.to_vec(), f.truncated));
            drain(&mut d, &mut frames)
        }
        Ok(None) => None,
        Err(e) => Some(e),
    };
    Outcome { frames, error }
}

/// The same stream cut in every way worth trying must give the same outcome.
fn run_all_splits(max: usize, input: &[u8]) -> Outcome {
    let whole = run(max, &[input]);
    let bytes: Vec<&[u8]> = input.chunks(1).collect();
    assert_eq!(run(max, &bytes), whole, "byte by byte: {input:?}");
    for cut in 0..=input.len() {
        let (a, b) = input.split_at(cut);
        assert_eq!(run(max, &[a, b]), whole, "split at {cut}: {input:?}");
    }
    let mut seed = 0x9e37_79b9_u32;
    for _ in 0..20 {
        let mut chunks = Vec::new();
        let mut rest = input;
        while !rest.is_empty() {
            let n = (xorshift(&mut seed) as usize % 7 + 1).min(rest.len());
            chunks.push(&rest[..n]);
            rest = &rest[n..];
        }
        assert_eq!(run(max, &chunks), whole, "chunks {chunks:?}");
    }
    whole
}

fn ok(frames: &[(&[u8], bool)]) -> Outcome {
    Outcome {
        frames: frames.iter().map(|(m, t)| (m.to_vec(), *t)).collect(),
        error: None,
    }
}

fn err(frames: &[(&[u8], bool)], e: FrameError) -> Outcome {
    Outcome {
        error: Some(e),
        ..ok(frames)
    }
}

#[test]
fn non_transparent_table() {
    let cases: &[(&str, usize, &[u8], Outcome)] = &[
        (
            "LF",
            16,
            b"<1>a\n<2>bb\n",
            ok(&[(b"<1>a", false), (b"<2>bb", false)]),
        ),
        (
            "CRLF",
            16,
            b"a\r\nb\r\n",
            ok(&[(b"a", false), (b"b", false)]),
        ),
        ("NUL", 16, b"a\0b\0", ok(&[(b"a", false), (b"b", false)])),
        (
            "mixed terminators",
            16,
            b"a\nb\0c\r\nd\r\0",
            ok(&[(b"a", false), (b"b", false), (b"c", false), (b"d", false)]),
        ),
        ("inner CR kept", 16, b"a\rb\n", ok(&[(b"a\rb", false)])),
        (
            "blank lines skipped",
            16,
            b"\n\r\n\na\n\n\0",
            ok(&[(b"a", false)]),
        ),
        (
            "later digit is text",
            16,
            b"<1>a\n2024 b\n",
            ok(&[(b"<1>a", false), (b"2024 b", false)]),
        ),
        (
            "unterminated last line delivered",
            16,
            b"a\nlast",
            ok(&[(b"a", false), (b"last", false)]),
        ),
        (
            "unterminated last CR stripped",
            16,
            b"a\nlast\r",
            ok(&[(b"a", false), (b"last", false)]),
        ),
        ("lone CR at end", 16, b"a\n\r", ok(&[(b"a", false)])),
        ("exactly max", 4, b"abcd\n", ok(&[(b"abcd", false)])),
        (
            "exactly max with CR",
            4,
            b"abcd\r\nef\n",
            ok(&[(b"abcd", false), (b"ef", false)]),
        ),
        (
            "max plus one",
            4,
            b"abcde\nef\n",
            ok(&[(b"abcd", true), (b"ef", false)]),
        ),
        (
            "max plus one with CR",
            4,
            b"abcde\r\nef\n",
            ok(&[(b"abcd", true), (b"ef", false)]),
        ),
        (
            "max then CR no LF",
            4,
            b"abcd\rx\nef\n",
            ok(&[(b"abcd", true), (b"ef", false)]),
        ),
        (
            "long message truncated",
            4,
            b"abcdefghijklmnop\nxy\0z\n",
            ok(&[(b"abcd", true), (b"xy", false), (b"z", false)]),
        ),
        (
            "long rest ends at NUL",
            4,
            b"abcdefgh\0z\n",
            ok(&[(b"abcd", true), (b"z", false)]),
        ),
        (
            "long at end of stream",
            4,
            b"ok\nabcdefgh",
            ok(&[(b"ok", false), (b"abcd", true)]),
        ),
        (
            "max plus one at end of stream",
            4,
            b"abcde",
            ok(&[(b"abcd", true)]),
        ),
        (
            "max plus CR at end of stream",
            4,
            b"abcd\r",
            ok(&[(b"abcd", false)]),
        ),
        ("empty stream", 4, b"", ok(&[])),
    ];
    for (name, max, input, want) in cases {
        assert_eq!(&run_all_splits(*max, input), want, "{name}");
    }
}

#[test]
fn octet_counting_table() {
    let cases: &[(&str, usize, &[u8], Outcome)] = &[
        (
            "two frames",
            16,
            b"3 abc5 hello",
            ok(&[(b"abc", false), (b"hello", false)]),
        ),
        (
            "terminators inside",
            16,
            b"5 a\nb\0c",
            ok(&[(b"a\nb\0c", false)]),
        ),
        (
            "LF between frames",
            16,
            b"3 abc\n3 def\r\n",
            ok(&[(b"abc", false), (b"def", false)]),
        ),
        (
            "exactly max",
            4,
            b"4 abcd1 e",
            ok(&[(b"abcd", false), (b"e", false)]),
        ),
        (
            "truncated, rest skipped",
            4,
            b"10 01234567892 ok",
            ok(&[(b"0123", true), (b"ok", false)]),
        ),
        ("ten digits", 4, b"9999999999 abcd", ok(&[(b"abcd", true)])),
        (
            "text after a frame",
            16,
            b"3 abc<13>x",
            err(&[(b"abc", false)], FrameError::NotACount { found: b'<' }),
        ),
        (
            "bad delimiter",
            16,
            b"12x",
            err(&[], FrameError::BadDelimiter { found: b'x' }),
        ),
        (
            "no count after LF",
            16,
            b"3 abc\n x",
            err(&[(b"abc", false)], FrameError::NotACount { found: b' ' }),
        ),
        (
            "leading zero",
            16,
            b"01 a",
            err(&[], FrameError::LeadingZero),
        ),
        (
            "zero length",
            16,
            b"0 abc",
            err(&[], FrameError::ZeroLength),
        ),
        (
            "eleven digits",
            16,
            b"12345678901 a",
            err(&[], FrameError::CountTooLong),
        ),
        (
            "end inside count",
            16,
            b"3 abc12",
            err(&[(b"abc", false)], FrameError::IncompleteCount),
        ),
        (
            "end inside message",
            16,
            b"5 ab",
            err(
                &[],
                FrameError::Incomplete {
                    declared: 5,
                    received: 2,
                },
            ),
        ),
        (
            "end inside truncated prefix",
            4,
            b"10 ab",
            err(
                &[],
                FrameError::Incomplete {
                    declared: 10,
                    received: 2,
                },
            ),
        ),
        (
            "end inside skipped rest",
            4,
            b"10 abcdef",
            ok(&[(b"abcd", true)]),
        ),
        ("trailing LF only", 16, b"1 a\n", ok(&[(b"a", false)])),
    ];
    for (name, max, input, want) in cases {
        assert_eq!(&run_all_splits(*max, input), want, "{name}");
    }
}

#[test]
fn framing_is_chosen_from_the_first_byte() {
    let mut d = Deframer::new(16);
    assert_eq!(d.framing(), None);
    d.push(b"<1>x\n");
    assert_eq!(d.next_frame().unwrap().unwrap().message, b"<1>x");
    assert_eq!(d.framing(), Some(Framing::NonTransparent));
    let mut d = Deframer::new(16);
    d.push(b"4");
    assert_eq!(d.next_frame(), Ok(None));
    assert_eq!(d.framing(), Some(Framing::OctetCounting));
}

#[test]
fn errors_name_the_problem_without_payload() {
    let cases = [
        (
            FrameError::NotACount { found: b'<' },
            "expected an octet count, found byte 0x3c",
        ),
        (
            FrameError::BadDelimiter { found: b'x' },
            "followed by byte 0x78 instead of SP",
        ),
        (FrameError::LeadingZero, "leading zero"),
        (FrameError::ZeroLength, "octet count is zero"),
        (FrameError::CountTooLong, "more than 10 digits"),
        (
            FrameError::Incomplete {
                declared: 5,
                received: 2,
            },
            "after 2 of 5 message bytes",
        ),
    ];
    for (e, want) in cases {
        let text = e.to_string();
        assert!(text.contains(want), "{text}");
    }
}

#[test]
fn the_rest_of_a_truncated_message_is_not_buffered() {
    let chunk = vec![b'x'; 64 * 1024];
    for first in [&b"<1>"[..], b"9000000 "] {
        let mut d = Deframer::new(100);
        d.push(first);
        let mut truncated = 0;
        for _ in 0..30 {
            d.push(&chunk);
            while let Some(f) = d.next_frame().unwrap() {
                assert!(f.truncated);
                truncated += 1;
            }
            assert!(d.buffered() <= 102, "{} bytes buffered", d.buffered());
        }
        assert_eq!(truncated, 1);
        // Straight into the buffer: consumed at the next call instead, still bounded.
        d.buffer_for_read(chunk.len()).extend_from_slice(&chunk);
        assert_eq!(d.next_frame(), Ok(None));
        assert_eq!(d.buffered(), 0);
    }
}

#[test]
fn a_long_line_in_small_reads_is_scanned_once() {
    // Quadratic rescanning would make this take minutes; linear takes microseconds.
    let mut d = Deframer::new(1 << 20);
    for _ in 0..(1 << 20) - 1 {
        d.push(b"y");
        assert_eq!(d.next_frame(), Ok(None));
    }
    d.push(b"\n");
    let f = d.next_frame().unwrap().unwrap();
    assert_eq!((f.message.len(), f.truncated), ((1 << 20) - 1, false));
}

#[test]
fn rsyslog_omfwd_captures() {
    // Captured from rsyslogd 8.2302.0 omfwd over TCP (tests/fixtures/tcp-framing/README.md).
    let octet = run_all_splits(
        8096,
        include_bytes!("../../../tests/fixtures/tcp-framing/omfwd-octet-counted.bin"),
    );
    let lf = run_all_splits(
        8096,
        include_bytes!("../../../tests/fixtures/tcp-framing/omfwd-lf.bin"),
    );
    let want = ok(&[
        (b"<13>Jan  2 03:04:05 host1 app[123] first message", false),
        (
            "<165>Jan  2 03:04:06 host1 app[123] second message café".as_bytes(),
            false,
        ),
        (
            b"<14>Jan  2 03:04:07 host2 other third message with trailing spaces   ",
            false,
        ),
    ]);
    assert_eq!(octet, want);
    assert_eq!(lf, want);
}

/// A deterministic xorshift stream of pseudo-random numbers.
fn xorshift(seed: &mut u32) -> u32 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 17;
    *seed ^= *seed << 5;
    *seed
}

#[test]
fn random_streams_split_anywhere_agree() {
    // Streams of framing-relevant bytes: no panic, and every way of cutting them agrees.
    let alphabet = b"0123456789  \n\n\r\0<>ab";
    let mut seed = 0x1234_5678;
    for _ in 0..400 {
        let len = xorshift(&mut seed) as usize % 40;
        let input: Vec<u8> = (0..len)
            .map(|_| alphabet[xorshift(&mut seed) as usize % alphabet.len()])
            .collect();
        for max in [1, 3, 8] {
            run_all_splits(max, &input);
        }
    }
}
