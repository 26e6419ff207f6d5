//! From a request's `…Param` element to its `…Return` element, whichever
//! framing carried it (a SOAP envelope, or the bare `<Request>` document):
//! the operation and API version from the element's name and namespace, the
//! registry's declaration for that version, authentication and
//! authorization, strict decoding, the operation, and the reply in the
//! version's shape with only the fields the caller asked for; and, before
//! any of it, the fault armed for the operation, if any.

use std::sync::Arc;

use super::codec;
use super::filter::FieldFilter;
use super::writer::Node;
use super::xml::Element;
use super::{bounded, versions, Error};
use crate::app::AppState;
use crate::auth::Credentials;
use crate::faults::{self, Action, Call};
use crate::ips::contract::Version;
use crate::ips::{self, registry, Operation};

/// What a request element asks for, before the registry is consulted.
#[derive(Debug)]
pub(super) struct Target {
    /// The element's namespace: the reply answers in it.
    pub ns: String,
    /// The API version that namespace speaks.
    pub version: Version,
    /// The operation's name (the element's, without `Param`).
    pub name: String,
}

/// Reads the operation and version a `…Param` element names.
pub(super) fn target(param: &Element) -> Result<Target, Error> {
    let (ns, version) = match param.ns.as_deref() {
        Some(ns) => match versions::version_of(ns) {
            Some(v) => (ns.to_owned(), v),
            None => return Err(not_ips(param)),
        },
        None => return Err(not_ips(param)),
    };
    let name = param.name.strip_suffix("Param").ok_or_else(|| {
        Error::UnknownOperation(format!(
            "the Body element '{}' is not an IPS request",
            bounded(&param.name)
        ))
    })?;
    Ok(Target {
        ns,
        version,
        name: name.to_owned(),
    })
}

fn not_ips(param: &Element) -> Error {
    Error::UnknownOperation(format!(
        "the Body element {} is not in an IPS API namespace",
        bounded(&param.qname())
    ))
}

/// The implemented operation the target names, if its version has it.
pub(super) fn operation(target: &Target) -> Result<&'static Operation, Error> {
    let name = &target.name;
    let op = registry::find(name).ok_or_else(|| {
        Error::UnknownOperation(if registry::is_ips_operation(name) {
            format!("operation '{name}' is not implemented by this emulator")
        } else {
            format!("unknown operation '{}'", bounded(name))
        })
    })?;
    if op.in_version(target.version) {
        Ok(op)
    } else {
        Err(Error::UnknownOperation(format!(
            "operation '{name}' is not part of IPS API {}; it was added in {}",
            target.version.label(),
            op.since.label()
        )))
    }
}

/// Applies the first fault armed for `op` (`/_emulator/faults`), before
/// the caller is authenticated, so any fault, an authentication one too,
/// can be armed: its IPS fault is the call's reply, or the call goes on
/// after its delay. `injected` names the fault, for the journal.
pub(super) async fn inject(state: &AppState, op: &'static Operation, injected: &mut Option<u64>) -> Result<(), Error> {
    let Some(taken) = state.faults.take(faults::IPS, &Call::Operation(op.name)) else {
        return Ok(());
    };
    *injected = Some(taken.id);
    match taken.action {
        Action::Fault(code) => Err(Error::Injected {
            code,
            reason: taken.message,
        }),
        Action::Delay(delay) => {
            tokio::time::sleep(delay).await;
            Ok(())
        }
        // Refused when armed: a status is a REST API's.
        Action::Status(_) => Ok(()),
    }
}

/// Authenticates, authorizes, decodes, runs the operation and encodes its
/// reply. `user` is set once the caller is known (for the journal).
pub(super) async fn run(
    state: &Arc<AppState>,
    op: &'static Operation,
    target: &Target,
    param: &Element,
    credentials: Option<Credentials>,
    user: &mut Option<String>,
) -> Result<Node, Error> {
    let principal = state.auth.authenticate(credentials).await?;
    *user = Some(principal.email.clone());
    let authorized = ips::authorize(&principal, op)?;
    let mut params = codec::decode(param, op.param, op.aliases, target.version, &target.ns)?;
    let filter = FieldFilter::take(&mut params)?;
    let reply = ips::execute(state, authorized, target.version, params).await?;
    let node = codec::encode(format!("{}Return", op.name), op.ret, target.version, &reply);
    Ok(filter.apply(node))
}
