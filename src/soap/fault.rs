//! The one place where errors become SOAP faults.
//!
//! Every error of every layer reaches the wire through [`Fault::from_error`]:
//! caller errors keep their message and code; internal errors are logged with
//! their cause and answered with a generic 30000, so no path, SQL or stack
//! detail ever leaves the process.

use super::envelope::SoapVersion;
use super::writer::{self, FaultParts};
use super::Error;
use crate::{auth, deadline, ips};

/// The three IPS fault elements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IpsFault {
    /// `authenticationFault` (1000x).
    Authentication,
    /// `authorizationFault` (2000x).
    Authorization,
    /// `ipsApiFault` (3000x).
    IpsApi,
}

impl IpsFault {
    /// The detail element's local name, also used as `faultstring`.
    pub fn element(self) -> &'static str {
        match self {
            IpsFault::Authentication => "authenticationFault",
            IpsFault::Authorization => "authorizationFault",
            IpsFault::IpsApi => "ipsApiFault",
        }
    }
}

/// A fault ready to serialise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// An IPS fault with a typed detail.
    Ips {
        /// Which fault element.
        kind: IpsFault,
        /// The numeric code.
        code: i32,
        /// The human-readable reason.
        reason: String,
        /// Whether the caller is to blame (`Client`/`Sender`).
        client: bool,
        /// The HTTP status when the caller asked for none.
        status: u16,
    },
    /// The envelope is not SOAP 1.1 or 1.2.
    VersionMismatch,
    /// A mandatory header was not understood: (namespace, local name).
    MustUnderstand(Option<String>, String),
}

/// Longest header name or namespace a MustUnderstand fault repeats.
const MAX_NAME: usize = 128;

/// The reason of every internal-error fault (30000), which names no cause.
pub const INTERNAL_REASON: &str = "The request could not be processed because of an internal error";

fn ips(kind: IpsFault, code: i32, reason: impl Into<String>, client: bool) -> Fault {
    Fault::Ips {
        kind,
        code,
        reason: reason.into(),
        client,
        status: 500,
    }
}

/// The request waited past its deadline and nothing was done: a Server
/// fault the caller may retry, with HTTP 503 (load balancers and retrying
/// clients know it), unless the caller asked for another status.
fn busy(why: &deadline::Busy) -> Fault {
    Fault::Ips {
        kind: IpsFault::IpsApi,
        code: 30000,
        reason: why.to_string(),
        client: false,
        status: 503,
    }
}

/// A fault armed through `/_emulator/faults`: the element its code's
/// first digit names (1 authentication, 2 authorization, else ipsApi), a
/// Server fault for 30000 as the service's own are, else a Client one.
fn injected(code: i32, reason: &str) -> Fault {
    let kind = match code / 10_000 {
        1 => IpsFault::Authentication,
        2 => IpsFault::Authorization,
        _ => IpsFault::IpsApi,
    };
    ips(kind, code, writer::cut(reason, MAX_REASON), code != 30_000)
}

/// Longest reason an injected fault repeats.
const MAX_REASON: usize = 1024;

fn internal(cause: &dyn std::fmt::Display) -> Fault {
    tracing::error!(cause = %cause, "internal error answered with ipsApiFault 30000");
    ips(IpsFault::IpsApi, 30000, INTERNAL_REASON, false)
}

impl Fault {
    /// Maps any error to its fault, logging internal ones.
    pub fn from_error(e: &Error) -> Fault {
        use IpsFault::*;
        match e {
            Error::Malformed(_)
            | Error::UnknownOperation(_)
            | Error::UnexpectedElement(_)
            | Error::ActionMismatch { .. } => ips(IpsApi, 30003, e.to_string(), true),
            Error::MissingParameter(_) => ips(IpsApi, 30002, e.to_string(), true),
            Error::InvalidValue(_) => ips(IpsApi, 30001, e.to_string(), true),
            Error::VersionMismatch => Fault::VersionMismatch,
            Error::MustUnderstand { ns, name } => Fault::MustUnderstand(
                ns.as_deref().map(|ns| writer::cut(ns, MAX_NAME).into_owned()),
                writer::cut(name, MAX_NAME).into_owned(),
            ),
            Error::Auth(a) => match a {
                auth::Error::NoCredentials => ips(
                    Authentication,
                    10000,
                    "The request could not be authenticated: no credentials were supplied",
                    true,
                ),
                auth::Error::InvalidCredentials => ips(Authentication, 10001, "Invalid username/password", true),
                auth::Error::Busy(b) => busy(b),
                other => internal(other),
            },
            Error::Ips(i) => Fault::from_ips(i),
            Error::Injected { code, reason } => injected(*code, reason),
        }
    }

    /// Maps an operation's error (also one reported per asset inside a
    /// reply, such as a `deleteAssets` item) to its fault.
    pub fn from_ips(i: &ips::Error) -> Fault {
        use IpsFault::*;
        match i {
            ips::Error::NotPermitted(_) => ips(Authorization, 20003, i.to_string(), true),
            ips::Error::InvalidCompany(_) | ips::Error::InvalidCompanyName(_) => {
                ips(Authorization, 20000, i.to_string(), true)
            }
            ips::Error::InvalidParameter(_) => ips(IpsApi, 30001, i.to_string(), true),
            ips::Error::MissingParameter(_) => ips(IpsApi, 30002, i.to_string(), true),
            ips::Error::NotEmulated(_) => ips(IpsApi, 30003, i.to_string(), true),
            // Scene7 answers a name clash with 30000 and a Server code;
            // legacy suites match on exactly that.
            ips::Error::NameInUse(_) | ips::Error::FolderExists(_) => ips(IpsApi, 30000, i.to_string(), false),
            // A bad modifier or an unusable source is the caller's; an
            // encoder failure is ours.
            ips::Error::Render(r) if r.is_client() => ips(IpsApi, 30001, i.to_string(), true),
            // A render that could never fit the memory budget is refused
            // like one over the reply size limit.
            ips::Error::Memory(crate::memory::Refused::TooLarge { .. }) => ips(IpsApi, 30001, i.to_string(), true),
            ips::Error::Busy(b) => busy(b),
            other => internal(other),
        }
    }

    /// The code and reason of an IPS fault (`None` for the SOAP-level ones).
    pub fn code_and_reason(&self) -> Option<(i32, &str)> {
        match self {
            Fault::Ips { code, reason, .. } => Some((*code, reason.as_str())),
            _ => None,
        }
    }

    /// The IPS code, for logs and the request journal.
    pub fn code(&self) -> Option<i32> {
        match self {
            Fault::Ips { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The fault's kind, for logs and the request journal: the IPS fault
    /// element's name, or the SOAP fault code of a fault without one.
    pub fn kind(&self) -> &'static str {
        match self {
            Fault::Ips { kind, .. } => kind.element(),
            Fault::VersionMismatch => "VersionMismatch",
            Fault::MustUnderstand(..) => "MustUnderstand",
        }
    }

    /// Whether the caller is to blame (SOAP 1.2 `Sender`).
    pub fn is_client(&self) -> bool {
        match self {
            Fault::Ips { client, .. } => *client,
            Fault::VersionMismatch | Fault::MustUnderstand(..) => false,
        }
    }

    /// The HTTP status: `faultHttpStatusCode` when the caller set one, else
    /// 500, as Adobe documents for every fault, SOAP 1.2 ones included
    /// (where the SOAP 1.2 HTTP binding would say 400 for a Sender fault,
    /// which some SOAP 1.2 clients cannot read); 503 for "busy".
    pub fn http_status(&self, requested: Option<u16>) -> u16 {
        match self {
            Fault::Ips { status, .. } => requested.unwrap_or(*status),
            Fault::VersionMismatch | Fault::MustUnderstand(..) => requested.unwrap_or(500),
        }
    }

    /// Serialises the fault as a bare fault element, without an envelope,
    /// as the upload servlet answers. Envelope-level faults cannot arise
    /// there; should one, it is sent as an ipsApiFault 30003.
    pub fn to_bare_xml(&self) -> String {
        match self {
            Fault::Ips { kind, code, reason, .. } => writer::bare_fault(kind.element(), *code, reason),
            Fault::VersionMismatch | Fault::MustUnderstand(..) => writer::bare_fault(
                IpsFault::IpsApi.element(),
                30003,
                "The request is not an acceptable upload",
            ),
        }
    }

    /// Serialises the fault. A VersionMismatch is always answered in SOAP 1.1,
    /// the version the sender evidently does not speak either.
    pub fn to_xml(&self, version: SoapVersion) -> String {
        match self {
            Fault::Ips {
                kind,
                code,
                reason,
                client,
                ..
            } => writer::fault(
                version,
                &FaultParts {
                    code: if *client { "Client" } else { "Server" },
                    string: kind.element(),
                    detail: Some((kind.element(), *code, reason)),
                    not_understood: None,
                },
            ),
            Fault::VersionMismatch => writer::fault(
                SoapVersion::V11,
                &FaultParts {
                    code: "VersionMismatch",
                    string: "The message is not a SOAP 1.1 or SOAP 1.2 envelope",
                    detail: None,
                    not_understood: None,
                },
            ),
            Fault::MustUnderstand(ns, name) => {
                let string = match ns {
                    Some(ns) => format!("Header {{{ns}}}{name} was not understood"),
                    None => format!("Header {name} was not understood"),
                };
                writer::fault(
                    version,
                    &FaultParts {
                        code: "MustUnderstand",
                        string: &string,
                        detail: None,
                        not_understood: Some((ns.as_deref().unwrap_or_default(), name)),
                    },
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn codes_and_sides() {
        let cases: Vec<(Error, i32, bool)> = vec![
            (Error::Malformed("x".into()), 30003, true),
            (Error::MissingParameter("name"), 30002, true),
            (Error::Auth(auth::Error::NoCredentials), 10000, true),
            (Error::Auth(auth::Error::InvalidCredentials), 10001, true),
            (Error::Ips(ips::Error::NotPermitted("copyImage")), 20003, true),
            (Error::Ips(ips::Error::InvalidCompany("c|9".into())), 20000, true),
            (Error::Ips(ips::Error::InvalidParameter("x".into())), 30001, true),
            (Error::Ips(ips::Error::MissingParameter("x")), 30002, true),
            (Error::Ips(ips::Error::NotEmulated("x".into())), 30003, true),
            (Error::Ips(ips::Error::InvalidCompanyName("X".into())), 20000, true),
            (Error::Ips(ips::Error::NameInUse("n".into())), 30000, false),
            (Error::Ips(ips::Error::FolderExists("A/b/".into())), 30000, false),
            (Error::Ips(ips::Error::Auth(auth::Error::Hashing)), 30000, false),
            (Error::Ips(ips::Error::Task), 30000, false),
            (Error::Auth(auth::Error::Hashing), 30000, false),
        ];
        for (e, code, client) in cases {
            let f = Fault::from_error(&e);
            assert_eq!((f.code(), f.is_client()), (Some(code), client), "{e:?}");
        }
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let e = Error::Ips(ips::Error::Catalog(crate::catalog::Error::InvalidSeed(
            "/secret/path".into(),
        )));
        let xml = Fault::from_error(&e).to_xml(SoapVersion::V11);
        assert!(!xml.contains("secret"), "{xml}");
        assert!(xml.contains("<faultcode>soapenv:Server</faultcode>"));
    }

    /// Strings of any characters, biased towards the ones XML cannot carry
    /// or must escape, and long enough to be cut.
    fn hostile() -> impl Strategy<Value = String> {
        let c = prop_oneof![
            any::<char>(),
            (0u32..0x20).prop_filter_map("a C0 control", char::from_u32),
            prop::sample::select(vec!['\u{fffe}', '\u{ffff}', '&', '<', '>', '"', '\r', ']', 'é']),
        ];
        prop::collection::vec(c, 0..700).prop_map(|v| v.into_iter().collect())
    }

    /// Every fault that quotes a client's value, for the value `s`.
    fn quoting(s: &str) -> Vec<Fault> {
        let errors = [
            Error::Malformed(s.into()),
            Error::UnknownOperation(s.into()),
            Error::UnexpectedElement(s.into()),
            Error::ActionMismatch {
                action: s.into(),
                operation: s.into(),
            },
            Error::InvalidValue(s.into()),
            Error::Ips(ips::Error::InvalidCompany(s.into())),
            Error::Ips(ips::Error::InvalidCompanyName(s.into())),
            Error::Ips(ips::Error::InvalidParameter(s.into())),
            Error::Ips(ips::Error::NameInUse(s.into())),
            Error::Ips(ips::Error::FolderExists(s.into())),
            Error::Injected {
                code: 30001,
                reason: s.into(),
            },
        ];
        let mut faults: Vec<Fault> = errors.iter().map(Fault::from_error).collect();
        faults.push(Fault::from_error(&Error::MustUnderstand {
            ns: Some(s.into()),
            name: s.into(),
        }));
        faults
    }

    proptest! {
        #[test]
        fn every_fault_quoting_any_value_is_readable(s in hostile()) {
            for fault in quoting(&s) {
                for xml in [
                    fault.to_xml(SoapVersion::V11),
                    fault.to_xml(SoapVersion::V12),
                    fault.to_bare_xml(),
                ] {
                    let parsed = crate::soap::xml::parse(&xml, 100, false);
                    prop_assert!(parsed.is_ok(), "{:?}: {}", parsed.err(), xml);
                    // Each quoted value is cut to a few hundred bytes, which
                    // escaping grows at most sixfold.
                    prop_assert!(xml.len() < 8192, "{} bytes", xml.len());
                }
            }
        }
    }

    #[test]
    fn injected_faults_take_their_element_and_side_from_the_code() {
        let cases = [
            (10001, "authenticationFault", true),
            (20003, "authorizationFault", true),
            (30000, "ipsApiFault", false),
            (30001, "ipsApiFault", true),
            (39999, "ipsApiFault", true),
        ];
        for (code, kind, client) in cases {
            let f = Fault::from_error(&Error::Injected {
                code,
                reason: "armed".into(),
            });
            assert_eq!(
                (f.code_and_reason(), f.kind(), f.is_client(), f.http_status(None)),
                (Some((code, "armed")), kind, client, 500)
            );
        }
    }

    #[test]
    fn statuses() {
        let refused = Fault::from_ips(&ips::Error::MissingParameter("x"));
        assert_eq!(refused.http_status(None), 500);
        assert_eq!(refused.http_status(Some(200)), 200);
        let busy = Fault::from_ips(&ips::Error::Busy(deadline::Busy));
        assert_eq!(busy.http_status(None), 503);
        assert_eq!(busy.http_status(Some(200)), 200);
        assert_eq!(
            busy.code_and_reason(),
            Some((30000, "The service is busy; try again later"))
        );
        assert!(!busy.is_client());
        let auth_busy = Fault::from_error(&Error::Auth(auth::Error::Busy(deadline::Busy)));
        assert_eq!(auth_busy, busy);
    }
}
