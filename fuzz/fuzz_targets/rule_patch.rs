//! Arbitrary JSON objects through `admin::rules::parse_patch` and `validate_rule`.
//!
//! Input: JSON text; a top-level object is used as is, an array's objects one by one. Besides
//! "no panic", it checks the promise `validate_rule` makes: a rule it accepts is one the
//! alerter's engine can load (never skipped).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mutt::admin::rules::{blank_rule, parse_patch, validate_rule};
use mutt::rules::{validate, Snapshot};
use serde_json::{Map, Value};

fn check(body: &Map<String, Value>) {
    let Ok(patch) = parse_patch(body) else {
        return;
    };
    let _ = patch.is_empty();
    let row = patch.apply(&blank_rule());
    if validate_rule(&row).is_ok() {
        let rule = row
            .to_engine()
            .expect("a valid rule has a known match_type");
        validate(&rule).expect("a valid rule compiles in the engine");
        let snapshot = Snapshot::new(vec![rule], Vec::new(), Vec::new(), "default");
        assert_eq!(
            snapshot.rule_count(),
            1,
            "the engine skips a rule the API accepted"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    match serde_json::from_slice::<Value>(data) {
        Ok(Value::Object(m)) => check(&m),
        Ok(Value::Array(items)) => {
            for item in items {
                if let Value::Object(m) = item {
                    check(&m);
                }
            }
        }
        _ => {}
    }
});
