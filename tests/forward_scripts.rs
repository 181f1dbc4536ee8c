//! The forwarder's shared Redis state machines against a real Redis: the circuit breaker (one
//! probe cluster-wide), the permit-granting rate limit, and the delayed-retry set.

mod common;
use common::TestEnv;
use mutt::store::redis::keys::Keys;
use mutt::store::redis::scripts::{self, BreakerDecision};
use mutt::store::redis::{RedisConfig, RedisConnector};
use redis::Commands;
use std::time::Duration;

fn conn(t: &TestEnv) -> redis::Connection {
    RedisConnector::new(RedisConfig::from_settings(&t.settings(&[])))
        .connect()
        .unwrap()
}

#[test]
fn the_breaker_opens_at_the_threshold_lets_one_probe_through_and_closes_on_success() {
    let t = TestEnv::new();
    let mut c = conn(&t);
    let keys = scripts::breaker_keys(&Keys::with_prefix(&t.prefix), "moogsoft");
    assert!(keys[0].ends_with(":circuit_breaker:moogsoft:state"));
    let allow = |c: &mut redis::Connection, who: &str, timeout: u64| {
        scripts::breaker_allow(c, &keys, timeout, who, 30).unwrap()
    };

    assert_eq!(
        allow(&mut c, "a", 60),
        (BreakerDecision::Send, "CLOSED".into())
    );
    assert_eq!(
        scripts::breaker_record(&mut c, &keys, 3, &[false, false]).unwrap(),
        ("CLOSED".into(), 2)
    );
    // A success anywhere resets the consecutive count.
    assert_eq!(
        scripts::breaker_record(&mut c, &keys, 3, &[true]).unwrap(),
        ("CLOSED".into(), 0)
    );
    assert_eq!(
        scripts::breaker_record(&mut c, &keys, 3, &[false, false, false]).unwrap(),
        ("OPEN".into(), 3)
    );
    assert_eq!(
        allow(&mut c, "a", 60),
        (BreakerDecision::Wait, "OPEN".into())
    );
    let opened: f64 = c.get(&keys[2]).unwrap();
    assert!(opened > 1.7e9);

    // Past the open timeout (0 here): exactly one caller probes.
    assert_eq!(
        allow(&mut c, "a", 0),
        (BreakerDecision::Probe, "HALF_OPEN".into())
    );
    assert_eq!(
        allow(&mut c, "b", 0),
        (BreakerDecision::Wait, "HALF_OPEN".into())
    );
    assert_eq!(
        allow(&mut c, "a", 0),
        (BreakerDecision::Wait, "HALF_OPEN".into()),
        "one probe, not one per caller"
    );
    // The probe fails: open again, with a fresh open time.
    assert_eq!(
        scripts::breaker_record(&mut c, &keys, 3, &[false]).unwrap(),
        ("OPEN".into(), 4)
    );
    assert_eq!(
        allow(&mut c, "b", 60),
        (BreakerDecision::Wait, "OPEN".into())
    );
    assert_eq!(
        allow(&mut c, "b", 0),
        (BreakerDecision::Probe, "HALF_OPEN".into())
    );
    assert_eq!(
        scripts::breaker_record(&mut c, &keys, 3, &[true]).unwrap(),
        ("CLOSED".into(), 0)
    );
    assert_eq!(
        allow(&mut c, "c", 60),
        (BreakerDecision::Send, "CLOSED".into())
    );
    let probe: bool = c.exists(&keys[3]).unwrap();
    assert!(!probe, "closing clears the probe");
}

#[test]
fn permits_are_granted_up_to_the_limit_per_window_and_say_how_long_to_wait() {
    let t = TestEnv::new();
    let mut c = conn(&t);
    let key = Keys::with_prefix(&t.prefix).moog_rate_limit().to_string();
    assert_eq!(scripts::permits(&mut c, &key, 5, 1000, 3).unwrap(), (3, 0));
    let (granted, wait) = scripts::permits(&mut c, &key, 5, 1000, 3).unwrap();
    assert_eq!(granted, 2);
    assert!((1..=1000).contains(&wait), "{wait}");
    assert_eq!(scripts::permits(&mut c, &key, 5, 1000, 1).unwrap().0, 0);
    let kind: String = redis::cmd("TYPE").arg(&key).query(&mut c).unwrap();
    assert_eq!(
        kind, "zset",
        "v2.5's key type, so a v2.5 forwarder can share it"
    );
    // Deliberately a sleep: waiting exactly as long as the script said is what is asserted (after
    // `wait` ms, plus 20 ms for clock granularity, the whole window is free again). Polling
    // instead would take permits as they free up and change what is checked.
    std::thread::sleep(Duration::from_millis(wait + 20));
    assert_eq!(scripts::permits(&mut c, &key, 5, 1000, 5).unwrap(), (5, 0));
}

#[test]
fn retries_become_due_on_redis_time_and_go_to_the_front_of_the_queue() {
    let t = TestEnv::new();
    let mut c = conn(&t);
    let keys = Keys::with_prefix(&t.prefix);
    let set = keys.moog_retry();
    scripts::load_retry(&mut c).unwrap();
    let mut pipe = redis::pipe();
    pipe.atomic();
    scripts::schedule_retries(
        &mut pipe,
        &set,
        &[(0, "now".into()), (60_000, "later".into())],
    );
    let _: () = pipe.query(&mut c).unwrap();
    let _: () = c.lpush(keys.alert_queue(), "waiting").unwrap();
    assert_eq!(
        scripts::move_due_retries(&mut c, &set, keys.alert_queue(), 100).unwrap(),
        1
    );
    let next: String = c.rpop(keys.alert_queue(), None).unwrap();
    assert_eq!(next, "now", "a due retry is sent before newer alerts");
    let left: Vec<String> = c.zrange(&set, 0, -1).unwrap();
    assert_eq!(left, ["later"]);
}
