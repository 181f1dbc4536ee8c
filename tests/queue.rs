//! The reliable queue against a real Redis: batch takes, heartbeats and pod claims, the janitor's
//! ordered recovery with delivery counting, and batch acknowledgement.

mod common;
use common::TestEnv;
use mutt::queue::ReliableQueue;
use mutt::store::redis::keys::{Consumer, Keys};
use mutt::store::redis::{RedisConfig, RedisConnector};
use mutt::wire::sha1_hex;
use redis::Commands;
use std::time::Duration;

fn conn(t: &TestEnv) -> redis::Connection {
    RedisConnector::new(RedisConfig::from_settings(&t.settings(&[])))
        .connect()
        .unwrap()
}

fn queue(t: &TestEnv, pod: &str) -> ReliableQueue {
    let keys = Keys::with_prefix(&t.prefix);
    let source = keys.ingest_queue().to_string();
    ReliableQueue::new(keys, Consumer::Alerter, pod, &source)
}

fn push(c: &mut redis::Connection, q: &ReliableQueue, items: &[&str]) {
    for i in items {
        let _: () = c.lpush(q.source(), *i).unwrap();
    }
}

#[test]
fn batches_are_taken_oldest_first_and_acked_together() {
    let t = TestEnv::new();
    let mut c = conn(&t);
    let q = queue(&t, "a1");
    q.claim(&mut c, Duration::from_secs(30)).unwrap();
    push(&mut c, &q, &["m1", "m2", "m3", "m4", "m5"]);
    let batch = q.take(&mut c, 3, Duration::from_secs(1)).unwrap();
    let raws: Vec<&str> = batch.iter().map(|d| d.raw.as_str()).collect();
    assert_eq!(raws, ["m1", "m2", "m3"]);
    assert!(batch.iter().all(|d| d.earlier_deliveries == 0));
    let processing: Vec<String> = c.lrange(q.processing_key(), 0, -1).unwrap();
    assert_eq!(processing, ["m3", "m2", "m1"]);
    let left: Vec<String> = c.lrange(q.source(), 0, -1).unwrap();
    assert_eq!(left, ["m5", "m4"]);

    // A second batch while the first is still unacknowledged sits to its left.
    let second = q.take(&mut c, 10, Duration::from_secs(1)).unwrap();
    assert_eq!(second.len(), 2);
    let mut pipe = redis::pipe();
    pipe.atomic();
    q.ack_batch(&mut pipe, &second);
    let _: () = pipe.query(&mut c).unwrap();
    let processing: Vec<String> = c.lrange(q.processing_key(), 0, -1).unwrap();
    assert_eq!(
        processing,
        ["m3", "m2", "m1"],
        "only the acked batch left the list"
    );

    // Blocking take on an empty queue returns nothing after the timeout; a message pushed while
    // it waits is taken.
    let mut pipe = redis::pipe();
    q.ack_batch(&mut pipe, &batch);
    let _: () = pipe.query(&mut c).unwrap();
    let started = std::time::Instant::now();
    assert!(q
        .take(&mut c, 10, Duration::from_millis(300))
        .unwrap()
        .is_empty());
    assert!(started.elapsed() >= Duration::from_millis(250));
    let t2 = TestEnv {
        db: t.db.clone(),
        prefix: t.prefix.clone(),
    };
    let src = q.source().to_string();
    // Push once the take is blocked in Redis (its connection, named here, shows flag "b").
    let name = format!("{}-taker", t.prefix);
    let _: () = redis::cmd("CLIENT")
        .arg("SETNAME")
        .arg(&name)
        .query(&mut c)
        .unwrap();
    let pusher = std::thread::spawn(move || {
        let mut c = conn(&t2);
        common::wait_for(Duration::from_secs(10), "the take to block", || {
            let clients: String = redis::cmd("CLIENT").arg("LIST").query(&mut c).unwrap();
            clients.lines().any(|l| {
                let field = |k: &str| {
                    l.split_whitespace()
                        .find_map(|f| f.strip_prefix(k))
                        .unwrap_or("")
                };
                field("name=") == name && field("flags=").contains('b')
            })
        });
        let _: () = c.lpush(&src, "late").unwrap();
    });
    // Generous: the push comes as soon as the take is seen blocked.
    let got = q.take(&mut c, 10, Duration::from_secs(10)).unwrap();
    pusher.join().unwrap();
    assert_eq!(
        got.iter().map(|d| d.raw.as_str()).collect::<Vec<_>>(),
        ["late"]
    );
}

#[test]
fn a_live_pod_name_cannot_be_claimed_twice_and_leftovers_come_back() {
    let t = TestEnv::new();
    let mut c = conn(&t);
    let first = queue(&t, "dup");
    first.claim(&mut c, Duration::from_secs(30)).unwrap();
    let second = queue(&t, "dup");
    let err = second.claim(&mut c, Duration::from_secs(30)).unwrap_err();
    assert!(
        err.to_string().contains("POD_NAME \"dup\" is alive"),
        "{err}"
    );

    // The first dies mid-batch (heartbeat expires); a new incarnation takes the name back and
    // finds its old messages returned to the queue, with one more delivery counted.
    push(&mut c, &first, &["x1", "x2"]);
    first.take(&mut c, 10, Duration::ZERO).unwrap();
    let _: () = c.del(first.heartbeat_key()).unwrap();
    let again = queue(&t, "dup");
    assert_eq!(again.claim(&mut c, Duration::from_secs(30)).unwrap(), 2);
    let batch = again.take(&mut c, 10, Duration::ZERO).unwrap();
    let got: Vec<(&str, u32)> = batch
        .iter()
        .map(|d| (d.raw.as_str(), d.earlier_deliveries))
        .collect();
    assert_eq!(got, [("x1", 1), ("x2", 1)]);
    // Acking clears the delivery counts.
    let mut pipe = redis::pipe();
    again.ack_batch(&mut pipe, &batch);
    let _: () = pipe.query(&mut c).unwrap();
    let keys = Keys::with_prefix(&t.prefix);
    let left: i64 = c.hlen(keys.deliveries(Consumer::Alerter)).unwrap();
    assert_eq!(left, 0);
    again.release(&mut c).unwrap();
    let hb: bool = c.exists(again.heartbeat_key()).unwrap();
    assert!(!hb, "the heartbeat is deleted on a clean exit");
}

#[test]
fn the_janitor_recovers_dead_pods_in_order_and_skips_live_ones() {
    let t = TestEnv::new();
    let mut c = conn(&t);
    let dead = queue(&t, "host:dead-1");
    let live = queue(&t, "live");
    let janitor = queue(&t, "janitor");
    for q in [&dead, &live, &janitor] {
        q.claim(&mut c, Duration::from_secs(30)).unwrap();
    }
    push(&mut c, &dead, &["d1", "d2", "d3", "l1", "j1"]);
    assert_eq!(dead.take(&mut c, 3, Duration::ZERO).unwrap().len(), 3);
    assert_eq!(live.take(&mut c, 1, Duration::ZERO).unwrap().len(), 1);
    assert_eq!(janitor.take(&mut c, 1, Duration::ZERO).unwrap().len(), 1);
    push(&mut c, &dead, &["new"]);
    let _: () = c.del(dead.heartbeat_key()).unwrap();

    let recovered = janitor.janitor_pass(&mut c).unwrap();
    assert_eq!(
        recovered,
        vec![("host:dead-1".to_string(), 3)],
        "pod names with ':' are whole"
    );
    // The recovered messages are next in line, oldest first, ahead of newer arrivals.
    let order: Vec<String> = (0..4)
        .map(|_| c.rpop::<_, String>(janitor.source(), None).unwrap())
        .collect();
    assert_eq!(order, ["d1", "d2", "d3", "new"]);
    let keys = Keys::with_prefix(&t.prefix);
    let count: Option<u32> = c
        .hget(keys.deliveries(Consumer::Alerter), sha1_hex("d2"))
        .unwrap();
    assert_eq!(count, Some(1));
    let live_list: Vec<String> = c.lrange(live.processing_key(), 0, -1).unwrap();
    assert_eq!(live_list, ["l1"], "a live pod's list is left alone");
    let own: Vec<String> = c.lrange(janitor.processing_key(), 0, -1).unwrap();
    assert_eq!(own, ["j1"], "the janitor never recovers its own list");
}

#[test]
fn a_beat_carries_the_daemons_status_without_letting_it_override_the_record() {
    use mutt::store::redis::keys::Service;
    let t = TestEnv::new();
    let mut c = conn(&t);
    let hash = Keys::with_prefix(&t.prefix).instances(Service::Alerter);
    let record = |c: &mut redis::Connection, pod: &str| -> serde_json::Value {
        let text: String = c.hget(&hash, pod).unwrap();
        serde_json::from_str(&text).unwrap()
    };
    // Without a status the record is the plain one (remediation and the forwarder).
    let plain = queue(&t, "s0");
    plain.claim(&mut c, Duration::from_secs(30)).unwrap();
    let r = record(&mut c, "s0");
    assert_eq!(r.as_object().unwrap().len(), 3, "{r}");

    let q = queue(&t, "s1").reporting(|| {
        Some(serde_json::json!({"rules": 4, "last_seen_ms": 1, "instance": "forged", "ttl_s": 0}))
    });
    q.claim(&mut c, Duration::from_secs(30)).unwrap();
    let r = record(&mut c, "s1");
    assert_eq!(r["rules"], 4, "{r}");
    assert_ne!(r["instance"], "forged", "{r}");
    assert!(r["last_seen_ms"].as_u64().unwrap() > 1, "{r}");
    assert_eq!(r["ttl_s"], 30, "{r}");

    // Anything but an object, or no status yet, leaves the plain record.
    let odd = queue(&t, "s2").reporting(|| Some(serde_json::json!([1, 2])));
    odd.claim(&mut c, Duration::from_secs(30)).unwrap();
    assert_eq!(record(&mut c, "s2").as_object().unwrap().len(), 3);
    let none = queue(&t, "s3").reporting(|| None);
    none.claim(&mut c, Duration::from_secs(30)).unwrap();
    none.heartbeat(&mut c, Duration::from_secs(30)).unwrap();
    assert_eq!(record(&mut c, "s3").as_object().unwrap().len(), 3);
}
