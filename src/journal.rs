//! The request journal: the most recent calls to the APIs the service
//! answers (IPS over SOAP or the bare framing, the REST facades), kept in
//! memory for `GET /_emulator/requests`, so a test can see what a client
//! actually sent (which API and operation, in which namespace, as whom) and
//! how each call ended, injected faults included.
//!
//! Bounded: past [`CAPACITY`] entries the oldest goes. The HTTP layer records
//! a call after the SOAP layer or the facade has answered it; an entry holds
//! no request content, so no password can appear in it.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use serde::Serialize;

/// Entries kept.
pub const CAPACITY: usize = 1000;

/// How a call ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A `…Return` element.
    Ok,
    /// A fault: its kind (`ipsApiFault`, `authenticationFault`,
    /// `authorizationFault`, `VersionMismatch`, `MustUnderstand`) and its IPS
    /// code, if it has one.
    Fault {
        /// The fault's kind.
        kind: &'static str,
        /// The IPS code.
        code: Option<i32>,
    },
    /// A REST API's error reply (an HTTP status of 400 or more).
    Error,
}

/// One call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// When the request arrived.
    pub time: SystemTime,
    /// The API: `ips`, or a REST API's name (`kameleoon`).
    pub api: &'static str,
    /// The operation, once the Body named one; a REST call's method and
    /// path.
    pub operation: Option<String>,
    /// The namespace of the Body's element (the IPS API version).
    pub namespace: Option<String>,
    /// The login, once authenticated.
    pub user: Option<String>,
    /// How it ended.
    pub outcome: Outcome,
    /// The HTTP status sent.
    pub status: u16,
    /// From arrival to the reply being ready.
    pub duration: Duration,
    /// The armed fault the call used, if one matched it
    /// (`/_emulator/faults`).
    pub injected: Option<u64>,
}

/// The journal; shared by every request.
#[derive(Debug)]
pub struct Journal {
    entries: Mutex<VecDeque<Entry>>,
    capacity: usize,
}

impl Journal {
    /// A journal keeping the last `capacity` calls; 0 keeps none.
    pub fn new(capacity: usize) -> Self {
        Journal {
            entries: Mutex::new(VecDeque::with_capacity(capacity)),
            capacity,
        }
    }

    /// Adds a call, dropping the oldest when full.
    pub fn record(&self, entry: Entry) {
        if self.capacity == 0 {
            return;
        }
        // The evicted entry is freed after the lock is released: every SOAP
        // request passes through here.
        let evicted = {
            let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
            let evicted = if entries.len() >= self.capacity {
                entries.pop_front()
            } else {
                None
            };
            entries.push_back(entry);
            evicted
        };
        drop(evicted);
    }

    /// The calls kept, oldest first.
    pub fn entries(&self) -> Vec<Entry> {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .cloned()
            .collect()
    }

    /// Forgets every call; says how many there were.
    pub fn clear(&self) -> usize {
        let old = std::mem::take(&mut *self.entries.lock().unwrap_or_else(PoisonError::into_inner));
        old.len()
    }

    /// The calls kept as a JSON array, oldest first.
    pub fn to_json(&self) -> String {
        let entries = self.entries();
        let views: Vec<EntryView<'_>> = entries.iter().map(EntryView::from).collect();
        // Serialising plain strings and numbers cannot fail.
        serde_json::to_string(&views).unwrap_or_else(|_| "[]".to_owned())
    }
}

/// An entry as `GET /_emulator/requests` shows it.
#[derive(Serialize)]
struct EntryView<'a> {
    time: String,
    api: &'static str,
    operation: Option<&'a str>,
    namespace: Option<&'a str>,
    user: Option<&'a str>,
    /// `ok`, the IPS fault code, the kind of a fault without one, or
    /// `error` for a REST API's error reply.
    outcome: String,
    /// The fault's kind, for faults.
    fault: Option<&'static str>,
    status: u16,
    duration_ms: f64,
    /// The id of the armed fault the call used.
    injected: Option<u64>,
}

impl<'a> From<&'a Entry> for EntryView<'a> {
    fn from(e: &'a Entry) -> Self {
        let (outcome, fault) = match &e.outcome {
            Outcome::Ok => ("ok".to_owned(), None),
            Outcome::Fault { kind, code: Some(code) } => (code.to_string(), Some(*kind)),
            Outcome::Fault { kind, code: None } => ((*kind).to_owned(), Some(*kind)),
            Outcome::Error => ("error".to_owned(), None),
        };
        EntryView {
            time: rfc3339(e.time),
            api: e.api,
            operation: e.operation.as_deref(),
            namespace: e.namespace.as_deref(),
            user: e.user.as_deref(),
            outcome,
            fault,
            status: e.status,
            // Microsecond resolution: most calls take well under a
            // millisecond.
            duration_ms: e.duration.as_micros() as f64 / 1000.0,
            injected: e.injected,
        }
    }
}

/// `time` in RFC 3339, UTC, with milliseconds: `2024-05-06T07:08:09.123Z`.
pub fn rfc3339(time: SystemTime) -> String {
    crate::clock::utc_millis(time)
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use proptest::prelude::*;

    use super::*;

    fn entry(n: u64) -> Entry {
        Entry {
            time: UNIX_EPOCH + Duration::from_secs(n),
            api: "ips",
            operation: Some("copyImage".into()),
            namespace: Some("http://www.scene7.com/IpsApi/xsd/2008-01-15".into()),
            user: Some("ipsuser@ips.test".into()),
            outcome: Outcome::Ok,
            status: 200,
            duration: Duration::from_micros(1_234),
            injected: None,
        }
    }

    #[test]
    fn keeps_the_newest_entries_oldest_first() {
        let journal = Journal::new(3);
        for n in 0..5 {
            journal.record(entry(n));
        }
        let kept: Vec<u64> = journal
            .entries()
            .iter()
            .map(|e| e.time.duration_since(UNIX_EPOCH).expect("after").as_secs())
            .collect();
        assert_eq!(kept, [2, 3, 4]);
        assert_eq!(journal.clear(), 3);
        assert!(journal.entries().is_empty());
        let off = Journal::new(0);
        off.record(entry(1));
        assert!(off.entries().is_empty());
    }

    #[test]
    fn json_shape() {
        let journal = Journal::new(10);
        journal.record(entry(1_700_000_000));
        journal.record(Entry {
            operation: None,
            namespace: None,
            user: None,
            outcome: Outcome::Fault {
                kind: "VersionMismatch",
                code: None,
            },
            status: 500,
            ..entry(0)
        });
        journal.record(Entry {
            user: None,
            outcome: Outcome::Fault {
                kind: "authenticationFault",
                code: Some(10001),
            },
            status: 500,
            injected: Some(3),
            ..entry(0)
        });
        journal.record(Entry {
            api: "kameleoon",
            operation: Some("POST /images/1001/clone".into()),
            namespace: None,
            user: None,
            outcome: Outcome::Error,
            status: 429,
            ..entry(0)
        });
        let json: serde_json::Value = serde_json::from_str(&journal.to_json()).expect("json");
        assert_eq!(
            json,
            serde_json::json!([
                {"time": "2023-11-14T22:13:20.000Z", "api": "ips", "operation": "copyImage",
                 "namespace": "http://www.scene7.com/IpsApi/xsd/2008-01-15", "user": "ipsuser@ips.test",
                 "outcome": "ok", "fault": null, "status": 200, "duration_ms": 1.234, "injected": null},
                {"time": "1970-01-01T00:00:00.000Z", "api": "ips", "operation": null, "namespace": null, "user": null,
                 "outcome": "VersionMismatch", "fault": "VersionMismatch", "status": 500, "duration_ms": 1.234,
                 "injected": null},
                {"time": "1970-01-01T00:00:00.000Z", "api": "ips", "operation": "copyImage",
                 "namespace": "http://www.scene7.com/IpsApi/xsd/2008-01-15", "user": null,
                 "outcome": "10001", "fault": "authenticationFault", "status": 500, "duration_ms": 1.234,
                 "injected": 3},
                {"time": "1970-01-01T00:00:00.000Z", "api": "kameleoon", "operation": "POST /images/1001/clone",
                 "namespace": null, "user": null, "outcome": "error", "fault": null, "status": 429,
                 "duration_ms": 1.234, "injected": null}
            ])
        );
    }

    proptest! {
        #[test]
        fn any_names_make_json_that_reads_back(op in any::<String>(), ns in any::<String>(), user in any::<String>()) {
            let journal = Journal::new(1);
            journal.record(Entry {
                operation: Some(op.clone()),
                namespace: Some(ns.clone()),
                user: Some(user.clone()),
                ..entry(0)
            });
            let json: serde_json::Value = serde_json::from_str(&journal.to_json()).expect("json");
            prop_assert_eq!(&json[0]["operation"], &serde_json::Value::from(op));
            prop_assert_eq!(&json[0]["namespace"], &serde_json::Value::from(ns));
            prop_assert_eq!(&json[0]["user"], &serde_json::Value::from(user));
        }
    }

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_millis(951_782_400_007)),
            "2000-02-29T00:00:00.007Z"
        );
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(4_107_542_399)),
            "2100-02-28T23:59:59.000Z"
        );
    }
}
