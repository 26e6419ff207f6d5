//! Faults armed for the APIs the service answers (`POST /_emulator/faults`),
//! so a client's error handling can be tested: the next calls of an API
//! (or of one of its operations) are answered with an error of that API's
//! own kind, or served normally after a delay.
//!
//! This is the registry only. Whether a call matches is asked by the layer
//! that knows the call (`soap` names IPS operations, `http` REST routes), and
//! each injected error is written where its API's format is known (`soap`
//! for IPS faults, `rest` for the REST APIs' error bodies).
//!
//! Bounded: at most [`MAX_ARMED`] faults, each used at most [`MAX_TIMES`]
//! times, delays of at most [`MAX_DELAY_MS`], messages and operations of a
//! few hundred characters.

use std::ops::RangeInclusive;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The IPS API's name (its SOAP and bare endpoints); a REST API is named by
/// its adapter (`kameleoon`).
pub const IPS: &str = "ips";
/// Faults armed at once.
pub const MAX_ARMED: usize = 1000;
/// The most calls one fault applies to.
pub const MAX_TIMES: u32 = 1_000_000;
/// The longest delay.
pub const MAX_DELAY_MS: u64 = 60_000;
/// The longest message, in characters.
pub const MAX_MESSAGE: usize = 500;
/// The longest operation, in characters.
pub const MAX_OPERATION: usize = 256;
/// The HTTP statuses a REST fault may have: errors only.
pub const STATUSES: RangeInclusive<i64> = 400..=599;
/// The IPS fault codes: authentication (1xxxx), authorization (2xxxx) and
/// ipsApi (3xxxx) faults.
pub const FAULT_CODES: RangeInclusive<i64> = 10_000..=39_999;
/// The message of a fault armed without one.
pub const DEFAULT_MESSAGE: &str = "Fault injected by the emulator";

/// What a fault does to a call it matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// A REST API's error reply with this HTTP status.
    Status(u16),
    /// An IPS fault with this code.
    Fault(i32),
    /// The call is served normally after this delay.
    Delay(Duration),
}

/// Which calls of its API a fault applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pattern {
    /// Every call.
    Any,
    /// An operation, by its exact name (IPS).
    Operation(String),
    /// `[METHOD ]/a/*/b`: the method if one is given, and a path of as many
    /// segments, each `*` or `{name}` matching any one segment and the
    /// others only themselves, as sent (REST).
    Route {
        /// `POST`, …; any method if none.
        method: Option<String>,
        /// The path's segments, after its leading `/`.
        segments: Vec<String>,
    },
}

/// A call, as the layer serving it describes it.
#[derive(Clone, Copy, Debug)]
pub enum Call<'a> {
    /// An operation, by name.
    Operation(&'a str),
    /// A request's method and path (not decoded).
    Route {
        /// As sent.
        method: &'a str,
        /// As sent, without the query.
        path: &'a str,
    },
}

impl Pattern {
    /// Reads a route pattern, `POST /images/{imageId}/clone` or
    /// `/images/*`.
    pub fn route(text: &str) -> Result<Pattern, String> {
        let (method, path) = match text.split_once(' ') {
            Some((m, p)) => (Some(m), p),
            None => (None, text),
        };
        if let Some(m) = method {
            if m.is_empty() || m.len() > 16 || !m.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(format!("'{m}' is not an HTTP method (upper case, as sent)"));
            }
        }
        let Some(rest) = path.strip_prefix('/') else {
            return Err(format!(
                "the route '{text}' must be a path starting with '/', after an optional method"
            ));
        };
        if path
            .bytes()
            .any(|b| b.is_ascii_whitespace() || b.is_ascii_control() || b == b'?')
        {
            return Err(format!(
                "the route '{text}' holds a space, a control character or a query"
            ));
        }
        Ok(Pattern::Route {
            method: method.map(str::to_owned),
            segments: rest.split('/').map(str::to_owned).collect(),
        })
    }

    /// A path this pattern matches, its wildcards filled in (to ask which API
    /// claims it).
    pub fn example_path(&self) -> Option<String> {
        match self {
            Pattern::Route { segments, .. } => Some(
                segments
                    .iter()
                    .map(|s| if is_wildcard(s) { "1" } else { s.as_str() })
                    .fold(String::new(), |path, s| path + "/" + s),
            ),
            Pattern::Any | Pattern::Operation(_) => None,
        }
    }

    fn matches(&self, call: &Call<'_>) -> bool {
        match (self, call) {
            (Pattern::Any, _) => true,
            (Pattern::Operation(name), Call::Operation(op)) => name == op,
            (Pattern::Route { method: m, segments }, Call::Route { method, path }) => {
                m.as_deref().is_none_or(|m| m == *method)
                    && path.strip_prefix('/').is_some_and(|p| {
                        let sent: Vec<&str> = p.split('/').collect();
                        sent.len() == segments.len()
                            && segments
                                .iter()
                                .zip(sent)
                                .all(|(want, got)| want == got || (is_wildcard(want) && !got.is_empty()))
                    })
            }
            (Pattern::Operation(_) | Pattern::Route { .. }, _) => false,
        }
    }
}

fn is_wildcard(segment: &str) -> bool {
    segment == "*" || (segment.len() > 2 && segment.starts_with('{') && segment.ends_with('}'))
}

/// A fault to arm, as `POST /_emulator/faults` asks for it, its values
/// within their bounds; whether its API and operation exist is for the
/// caller to check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arming {
    /// `ips`, or a REST API's name.
    pub api: String,
    /// The operation or route, as given.
    pub operation: Option<String>,
    /// How many calls it applies to.
    pub times: u32,
    /// What it does.
    pub action: Action,
    /// The error's message, if one was given.
    pub message: Option<String>,
}

/// The JSON body, as sent.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ArmingJson {
    api: String,
    operation: Option<String>,
    times: Option<i64>,
    status: Option<i64>,
    fault: Option<i64>,
    delay_ms: Option<i64>,
    message: Option<String>,
}

impl Arming {
    /// Reads and checks a JSON body; the error says what is wrong.
    pub fn from_json(body: &[u8]) -> Result<Arming, String> {
        let j: ArmingJson = serde_json::from_slice(body).map_err(|e| format!("the body is not a fault: {e}"))?;
        let action = match (j.status, j.fault, j.delay_ms) {
            (Some(s), None, None) => Action::Status(within("status", s, &STATUSES)? as u16),
            (None, Some(f), None) => Action::Fault(within("fault", f, &FAULT_CODES)? as i32),
            (None, None, Some(d)) => {
                Action::Delay(Duration::from_millis(
                    within("delay_ms", d, &(0..=MAX_DELAY_MS as i64))? as u64,
                ))
            }
            (None, None, None) => return Err("one of status, fault or delay_ms is required".into()),
            _ => return Err("only one of status, fault or delay_ms may be given".into()),
        };
        let times = within("times", j.times.unwrap_or(1), &(1..=i64::from(MAX_TIMES)))? as u32;
        if let Some(op) = &j.operation {
            if op.is_empty() || op.chars().count() > MAX_OPERATION {
                return Err(format!("operation must be 1 to {MAX_OPERATION} characters"));
            }
        }
        if let Some(m) = &j.message {
            if matches!(action, Action::Delay(_)) {
                return Err("a delay has no message".into());
            }
            if m.chars().count() > MAX_MESSAGE {
                return Err(format!("message must be at most {MAX_MESSAGE} characters"));
            }
        }
        Ok(Arming {
            api: j.api,
            operation: j.operation,
            times,
            action,
            message: j.message,
        })
    }
}

fn within(name: &str, value: i64, range: &RangeInclusive<i64>) -> Result<i64, String> {
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(format!(
            "{name} must be from {} to {}, not {value}",
            range.start(),
            range.end()
        ))
    }
}

/// An armed fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Armed {
    /// Its number, for `DELETE /_emulator/faults/{id}` and the journal.
    pub id: u64,
    /// What was asked for.
    pub arming: Arming,
    /// Which calls it applies to, read from `arming.operation`.
    pub pattern: Pattern,
    /// The calls it still applies to.
    pub remaining: u32,
}

/// A fault a call used up one of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Taken {
    /// The fault's number.
    pub id: u64,
    /// What it does.
    pub action: Action,
    /// The error's message.
    pub message: String,
}

/// Arming refused: [`MAX_ARMED`] faults are armed already.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{MAX_ARMED} faults are armed already; clear some first")]
pub struct Full;

/// The faults armed; shared by every request.
#[derive(Debug, Default)]
pub struct Faults {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// The last id handed out.
    last_id: u64,
    /// In arming order.
    armed: Vec<Armed>,
}

impl Faults {
    /// Arms a fault after those armed before it.
    pub fn arm(&self, arming: Arming, pattern: Pattern) -> Result<Armed, Full> {
        let mut inner = self.lock();
        if inner.armed.len() >= MAX_ARMED {
            return Err(Full);
        }
        inner.last_id += 1;
        let armed = Armed {
            id: inner.last_id,
            remaining: arming.times,
            arming,
            pattern,
        };
        inner.armed.push(armed.clone());
        Ok(armed)
    }

    /// The first armed fault of `api` matching `call`, used once (and
    /// forgotten when used up).
    pub fn take(&self, api: &str, call: &Call<'_>) -> Option<Taken> {
        let mut inner = self.lock();
        let at = inner
            .armed
            .iter()
            .position(|f| f.arming.api == api && f.pattern.matches(call))?;
        let fault = &mut inner.armed[at];
        fault.remaining -= 1;
        let taken = Taken {
            id: fault.id,
            action: fault.arming.action,
            message: fault
                .arming
                .message
                .clone()
                .unwrap_or_else(|| DEFAULT_MESSAGE.to_owned()),
        };
        if fault.remaining == 0 {
            inner.armed.remove(at);
        }
        Some(taken)
    }

    /// The faults armed, in arming order.
    pub fn list(&self) -> Vec<Armed> {
        self.lock().armed.clone()
    }

    /// Disarms every fault; says how many there were.
    pub fn clear(&self) -> usize {
        std::mem::take(&mut self.lock().armed).len()
    }

    /// Disarms one fault; whether it was armed.
    pub fn remove(&self, id: u64) -> bool {
        let mut inner = self.lock();
        let before = inner.armed.len();
        inner.armed.retain(|f| f.id != id);
        inner.armed.len() != before
    }

    /// Disarms every fault and numbers the next from 1 again, as a reset
    /// restarts handles.
    pub fn reset(&self) {
        *self.lock() = Inner::default();
    }

    /// The faults armed as a JSON array, in arming order.
    pub fn to_json(&self) -> String {
        let armed = self.list();
        let views: Vec<ArmedView<'_>> = armed.iter().map(ArmedView::from).collect();
        // Serialising plain strings and numbers cannot fail.
        serde_json::to_string(&views).unwrap_or_else(|_| "[]".to_owned())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Armed {
    /// The fault as `/_emulator/faults` shows it.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&ArmedView::from(self)).unwrap_or_else(|_| "{}".to_owned())
    }
}

/// An armed fault as JSON: the fields it was armed with, its id and the
/// calls it still applies to.
#[derive(Serialize)]
struct ArmedView<'a> {
    id: u64,
    api: &'a str,
    operation: Option<&'a str>,
    times: u32,
    remaining: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fault: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    delay_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
}

impl<'a> From<&'a Armed> for ArmedView<'a> {
    fn from(f: &'a Armed) -> Self {
        let a = &f.arming;
        let (mut status, mut fault, mut delay_ms) = (None, None, None);
        match a.action {
            Action::Status(s) => status = Some(s),
            Action::Fault(c) => fault = Some(c),
            Action::Delay(d) => delay_ms = Some(d.as_millis() as u64),
        }
        ArmedView {
            id: f.id,
            api: &a.api,
            operation: a.operation.as_deref(),
            times: a.times,
            remaining: f.remaining,
            status,
            fault,
            delay_ms,
            message: a.message.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn arming(json: &str) -> Arming {
        Arming::from_json(json.as_bytes()).unwrap_or_else(|e| panic!("{json}: {e}"))
    }

    fn route(method: &'static str, path: &'static str) -> Call<'static> {
        Call::Route { method, path }
    }

    #[test]
    fn bodies_are_read_within_their_bounds() {
        let a = arming(r#"{"api":"ips","operation":"copyImage","fault":30001}"#);
        assert_eq!((a.times, a.action, a.message), (1, Action::Fault(30001), None));
        let a = arming(r#"{"api":"kameleoon","status":429,"times":2,"message":"slow down","operation":null}"#);
        assert_eq!((a.times, a.action, a.operation), (2, Action::Status(429), None));
        let a = arming(r#"{"api":"ips","delay_ms":60000,"times":1000000}"#);
        assert_eq!(a.action, Action::Delay(Duration::from_secs(60)));
        for (bad, says) in [
            ("", "not a fault"),
            ("[]", "not a fault"),
            (r#"{"status":500}"#, "missing field `api`"),
            (r#"{"api":"ips","fault":30001,"colour":1}"#, "unknown field `colour`"),
            (r#"{"api":"ips"}"#, "one of status, fault or delay_ms"),
            (r#"{"api":"ips","fault":30001,"delay_ms":5}"#, "only one of"),
            (r#"{"api":"ips","fault":40000}"#, "fault must be from 10000 to 39999"),
            (r#"{"api":"ips","fault":30001.5}"#, "not a fault"),
            (r#"{"api":"k","status":200}"#, "status must be from 400 to 599, not 200"),
            (r#"{"api":"k","status":99999999999999999999}"#, "not a fault"),
            (r#"{"api":"k","delay_ms":60001}"#, "delay_ms must be"),
            (r#"{"api":"k","delay_ms":-1}"#, "delay_ms must be"),
            (
                r#"{"api":"k","status":500,"times":0}"#,
                "times must be from 1 to 1000000",
            ),
            (r#"{"api":"k","status":500,"times":1000001}"#, "times must be"),
            (r#"{"api":"k","status":500,"operation":""}"#, "operation must be"),
            (r#"{"api":"k","delay_ms":5,"message":"x"}"#, "a delay has no message"),
        ] {
            let e = Arming::from_json(bad.as_bytes()).expect_err(bad);
            assert!(e.contains(says), "{bad}: {e}");
        }
        let long = format!(
            r#"{{"api":"k","status":500,"message":"{}"}}"#,
            "é".repeat(MAX_MESSAGE + 1)
        );
        assert!(Arming::from_json(long.as_bytes()).is_err());
    }

    #[test]
    fn routes_match_their_method_and_segments() {
        let clone = Pattern::route("POST /images/{imageId}/clone").expect("route");
        assert!(clone.matches(&route("POST", "/images/1001/clone")));
        assert!(!clone.matches(&route("GET", "/images/1001/clone")));
        assert!(!clone.matches(&route("POST", "/images/1001")));
        assert!(!clone.matches(&route("POST", "/images//clone")));
        assert!(!clone.matches(&Call::Operation("clone")));
        let any_method = Pattern::route("/images/*").expect("route");
        assert!(any_method.matches(&route("GET", "/images/7")) && any_method.matches(&route("DELETE", "/images/x")));
        assert!(!any_method.matches(&route("GET", "/images")));
        assert_eq!(clone.example_path().as_deref(), Some("/images/1/clone"));
        assert!(Pattern::Any.matches(&route("GET", "/")) && Pattern::Any.matches(&Call::Operation("x")));
        let op = Pattern::Operation("copyImage".into());
        assert!(op.matches(&Call::Operation("copyImage")) && !op.matches(&Call::Operation("copyImages")));
        assert!(!op.matches(&route("GET", "/copyImage")));
        for bad in [
            "images",
            "post /images",
            "POST images",
            "POST  /images",
            "/a b",
            "/a?x=1",
            " /a",
        ] {
            assert!(Pattern::route(bad).is_err(), "{bad}");
        }
    }

    fn armed(faults: &Faults, json: &str, pattern: Pattern) -> u64 {
        faults.arm(arming(json), pattern).expect("room").id
    }

    #[test]
    fn faults_are_used_in_arming_order_and_forgotten_when_used_up() {
        let faults = Faults::default();
        let copy = Call::Operation("copyImage");
        let first = armed(
            &faults,
            r#"{"api":"ips","fault":30001,"times":2}"#,
            Pattern::Operation("copyImage".into()),
        );
        let second = armed(&faults, r#"{"api":"ips","fault":30002}"#, Pattern::Any);
        assert_eq!((first, second), (1, 2));
        assert_eq!(faults.take("kameleoon", &copy), None, "another API's");
        let ids: Vec<u64> = std::iter::from_fn(|| faults.take(IPS, &copy).map(|t| t.id)).collect();
        assert_eq!(ids, [1, 1, 2]);
        armed(&faults, r#"{"api":"ips","fault":30003,"message":"m"}"#, Pattern::Any);
        let taken = faults.take(IPS, &Call::Operation("getAssets")).expect("any");
        assert_eq!((taken.action, taken.message.as_str()), (Action::Fault(30003), "m"));
        let t = armed(&faults, r#"{"api":"ips","status":500}"#, Pattern::Any);
        assert_eq!(
            faults.take(IPS, &copy).map(|t| t.message),
            Some(DEFAULT_MESSAGE.to_owned())
        );
        assert!(!faults.remove(t), "used up");
        let kept = armed(&faults, r#"{"api":"ips","fault":30001}"#, Pattern::Any);
        assert!(faults.remove(kept) && faults.list().is_empty());
    }

    #[test]
    fn listing_clearing_and_the_bound() {
        let faults = Faults::default();
        for _ in 0..MAX_ARMED {
            armed(&faults, r#"{"api":"ips","delay_ms":1,"times":3}"#, Pattern::Any);
        }
        assert_eq!(
            faults.arm(arming(r#"{"api":"ips","fault":30001}"#), Pattern::Any),
            Err(Full)
        );
        faults.take(IPS, &Call::Operation("x"));
        let json: serde_json::Value = serde_json::from_str(&faults.to_json()).expect("json");
        assert_eq!(
            json[0],
            serde_json::json!({"id": 1, "api": "ips", "operation": null, "times": 3, "remaining": 2, "delay_ms": 1})
        );
        assert_eq!(json.as_array().map(Vec::len), Some(MAX_ARMED));
        assert_eq!(faults.clear(), MAX_ARMED);
        assert_eq!(faults.to_json(), "[]");
        let after_clear = armed(&faults, r#"{"api":"ips","fault":30001}"#, Pattern::Any);
        assert_eq!(after_clear, MAX_ARMED as u64 + 1, "ids go on after a clear");
        faults.reset();
        assert!(faults.list().is_empty());
        assert_eq!(
            armed(&faults, r#"{"api":"ips","fault":30001}"#, Pattern::Any),
            1,
            "and start over after a reset"
        );
    }

    proptest! {
        #[test]
        fn any_body_is_read_or_refused_without_panicking(body in any::<Vec<u8>>(), text in ".{0,300}") {
            let _ = Arming::from_json(&body);
            let _ = Pattern::route(&text);
            let json = format!(r#"{{"api":"ips","fault":30001,"operation":{},"message":{}}}"#,
                serde_json::Value::from(text.clone()), serde_json::Value::from(text.clone()));
            if let Ok(a) = Arming::from_json(json.as_bytes()) {
                prop_assert_eq!(a.message.as_deref(), Some(text.as_str()));
            }
        }

        #[test]
        fn route_patterns_match_the_paths_they_were_read_from(segs in prop::collection::vec("[a-z0-9]{1,8}", 0..6)) {
            let path: String = segs.iter().map(|s| format!("/{s}")).collect();
            let path = if path.is_empty() { "/".to_owned() } else { path };
            let pattern = Pattern::route(&format!("GET {path}")).expect("route");
            let call = Call::Route { method: "GET", path: &path };
            prop_assert!(pattern.matches(&call), "{:?} against {}", pattern, path);
            prop_assert_eq!(pattern.example_path(), Some(path.clone()));
        }
    }
}
