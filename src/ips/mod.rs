//! IPS operations: what each one is, who may call it, and doing it.
//!
//! Every operation is one file in `ops/`, declaring its name, the API
//! versions that have it, its `…Param` and `…Return` shapes per version, the
//! user types its reference page authorizes, and its handler; `registry`
//! lists them. `soap` decodes a request against the declaration for the
//! request's version, has the caller authorized here, and encodes the
//! handler's reply in the version's shape. This layer knows nothing of XML.

pub mod contract;
pub mod registry;
pub mod serving;
pub mod types;
pub mod upload;
pub mod value;

mod batch;
mod blobs;
mod folder_tree;
mod image_fields;
pub mod jobs;
mod meta_search;
mod metadata;
mod names;
mod ops;
mod property_sets;
mod refusal;
mod search;
mod set_definition;
mod sets;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub use upload::{Upload, UploadJob, UploadedFile};

use crate::app::AppState;
use crate::auth::{Principal, UserType};
use crate::handles::CompanyHandle;
use crate::{auth, catalog, cpu, deadline, memory, render, store};
use contract::{Field, Version};
use value::{Params, Record};

/// Operation failures, each naming the IPS fault it becomes.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The caller's user type may not call the operation (20003).
    #[error("User does not have permission to access operation '{0}'")]
    NotPermitted(&'static str),
    /// Unknown company, or one the caller does not belong to (20000); the
    /// two cases are deliberately identical.
    #[error("Invalid company handle '{0}'")]
    InvalidCompany(String),
    /// The same, for a company asked for by name (20000).
    #[error("Invalid company name '{0}'")]
    InvalidCompanyName(String),
    /// A parameter's value is unacceptable (30001).
    #[error("{0}")]
    InvalidParameter(String),
    /// A parameter the operation needs is absent (30002).
    #[error("Missing required parameter '{0}'")]
    MissingParameter(&'static str),
    /// The name is taken within the company (30000, as IPS answers it).
    #[error("Asset ID '{0}' is already in use.")]
    NameInUse(String),
    /// The company already has a folder at that path (30000, like a name
    /// clash).
    #[error("Folder '{0}' already exists.")]
    FolderExists(String),
    /// The request asks for something the emulator does not do (30003,
    /// like an operation it does not implement): the reason says what.
    #[error("{0}")]
    NotEmulated(String),
    /// Checking a login (not the caller's) failed for a reason other than
    /// the credentials.
    #[error(transparent)]
    Auth(auth::Error),
    /// The catalog failed.
    #[error(transparent)]
    Catalog(catalog::Error),
    /// The blob store failed.
    #[error(transparent)]
    Store(#[from] store::Error),
    /// The renderer failed.
    #[error(transparent)]
    Render(#[from] render::Error),
    /// A render's memory was not granted (30001 when it could never be).
    #[error(transparent)]
    Memory(memory::Refused),
    /// Blocking work could not be scheduled.
    #[error("background task failed")]
    Task,
    /// The request waited past its deadline for the catalog, a CPU or
    /// memory; nothing was done (30000, "busy", HTTP 503).
    #[error(transparent)]
    Busy(#[from] deadline::Busy),
}

// Every way of waiting too long becomes the one `Busy`, so that the fault
// mapping sees it whichever resource the request waited for.

impl From<cpu::Interrupted> for Error {
    fn from(e: cpu::Interrupted) -> Self {
        match e {
            cpu::Interrupted::Busy(b) => Error::Busy(b),
            cpu::Interrupted::Failed => Error::Task,
        }
    }
}

impl From<catalog::Error> for Error {
    fn from(e: catalog::Error) -> Self {
        match e {
            catalog::Error::Busy(b) => Error::Busy(b),
            // A job found a moment before can be deleted meanwhile.
            catalog::Error::JobNotFound => Error::InvalidParameter("The job was not found (deleted meanwhile)".into()),
            other => Error::Catalog(other),
        }
    }
}

impl From<memory::Refused> for Error {
    fn from(e: memory::Refused) -> Self {
        match e {
            memory::Refused::Busy(b) => Error::Busy(b),
            other => Error::Memory(other),
        }
    }
}

impl From<auth::Error> for Error {
    fn from(e: auth::Error) -> Self {
        match e {
            auth::Error::Busy(b) => Error::Busy(b),
            other => Error::Auth(other),
        }
    }
}

/// What a handler works with: the service, the authorized caller, and the
/// API version the request speaks.
#[derive(Clone, Copy, Debug)]
pub struct Call<'a> {
    /// The service's state.
    pub state: &'a Arc<AppState>,
    /// The caller.
    pub principal: &'a Principal,
    /// The request's API version.
    pub version: Version,
}

/// A handler's answer, to be awaited.
pub type Reply<'a> = Pin<Box<dyn Future<Output = Result<Record, Error>> + Send + 'a>>;

/// An operation's handler: the request's parameters in, its reply's fields
/// out.
pub type Handler = for<'a> fn(&'a Call<'a>, Params) -> Reply<'a>;

/// One IPS operation, as its file in `ops/` declares it.
#[derive(Debug)]
pub struct Operation {
    /// Its wire name (`copyImage`).
    pub name: &'static str,
    /// The first API version that has it.
    pub since: Version,
    /// The user types its reference page authorizes.
    pub users: &'static [UserType],
    /// The children of `<name>Param`, across versions.
    pub param: &'static [Field],
    /// Other names a request may give a `param` field, as (alias, field):
    /// spellings Adobe's own reference pages use.
    pub aliases: &'static [(&'static str, &'static str)],
    /// The children of `<name>Return`, across versions.
    pub ret: &'static [Field],
    /// Does it.
    pub handler: Handler,
}

impl Operation {
    /// Whether `version` has this operation.
    pub fn in_version(&self, version: Version) -> bool {
        self.since <= version
    }
}

/// Boxes an `async fn(&Call, Params) -> Result<Record, Error>` as a
/// [`Handler`].
macro_rules! handler {
    ($f:path) => {{
        fn run<'a>(call: &'a $crate::ips::Call<'a>, params: $crate::ips::value::Params) -> $crate::ips::Reply<'a> {
            Box::pin($f(call, params))
        }
        run
    }};
}
pub(crate) use handler;

/// Who may change assets and folders: the "Authorized User Types" every
/// writing operation's reference page lists (copyImage's list).
pub const WRITERS: &[UserType] = &[
    UserType::IpsAdmin,
    UserType::IpsCompanyAdmin,
    UserType::IpsUser,
    UserType::ImagePortalAdmin,
    UserType::ImagePortalContrib,
    UserType::ImagePortalContribUser,
];

/// Every user type an operation can be authorized for (`WebServiceUser` is
/// listed by no operation's page).
pub const EVERYONE: &[UserType] = &[
    UserType::IpsAdmin,
    UserType::IpsCompanyAdmin,
    UserType::IpsUser,
    UserType::TrialSiteAdmin,
    UserType::TrialSiteUser,
    UserType::ImagePortalAdmin,
    UserType::ImagePortalUser,
    UserType::ImagePortalContrib,
    UserType::ImagePortalContribUser,
];

/// Proof that a caller may call an operation: only [`authorize`] makes one,
/// and only [`execute`] takes one, so no operation runs unchecked.
#[derive(Debug)]
pub struct Authorized<'a> {
    operation: &'static Operation,
    principal: &'a Principal,
}

/// Checks the caller's user type against the operation's (20003
/// otherwise). Runs before the request's parameters are even decoded.
pub fn authorize<'a>(principal: &'a Principal, operation: &'static Operation) -> Result<Authorized<'a>, Error> {
    if operation.users.contains(&principal.user_type) {
        Ok(Authorized { operation, principal })
    } else {
        Err(Error::NotPermitted(operation.name))
    }
}

/// Runs an authorized operation with its decoded parameters.
pub async fn execute(
    state: &Arc<AppState>,
    authorized: Authorized<'_>,
    version: Version,
    params: Record,
) -> Result<Record, Error> {
    let call = Call {
        state,
        principal: authorized.principal,
        version,
    };
    (authorized.operation.handler)(&call, Params::from(params)).await
}

/// Resolves the company handle and checks membership. IpsAdmin reaches every
/// company; whether it exists is then settled by the operation's own lookup,
/// which fails with the same `InvalidCompany`.
pub(crate) fn company_for(principal: &Principal, raw: &str) -> Result<CompanyHandle, Error> {
    let handle = CompanyHandle::parse(raw).ok_or_else(|| Error::InvalidCompany(raw.to_owned()))?;
    let member = principal.companies.contains(&handle.0);
    if member || principal.user_type == UserType::IpsAdmin {
        Ok(handle)
    } else {
        Err(Error::InvalidCompany(raw.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(user_type: UserType, companies: Vec<i64>) -> Principal {
        Principal {
            user_id: 1,
            email: "u@ips.test".into(),
            user_type,
            companies,
        }
    }

    #[test]
    fn copy_image_user_types_follow_the_reference_page() {
        let op = registry::find("copyImage").expect("registered");
        let allowed: Vec<_> = UserType::ALL
            .into_iter()
            .filter(|t| authorize(&principal(*t, vec![6]), op).is_ok())
            .map(UserType::as_str)
            .collect();
        assert_eq!(
            allowed,
            [
                "IpsAdmin",
                "IpsCompanyAdmin",
                "IpsUser",
                "ImagePortalAdmin",
                "ImagePortalContrib",
                "ImagePortalContribUser"
            ]
        );
        let err = authorize(&principal(UserType::ImagePortalUser, vec![6]), op).expect_err("refused");
        assert_eq!(
            err.to_string(),
            "User does not have permission to access operation 'copyImage'"
        );
    }

    #[test]
    fn foreign_and_unknown_companies_are_indistinguishable() {
        let user = principal(UserType::IpsUser, vec![6]);
        assert_eq!(company_for(&user, "c|6").expect("member"), CompanyHandle(6));
        let foreign = company_for(&user, "c|21").expect_err("foreign").to_string();
        let unknown = company_for(&user, "c|999").expect_err("unknown").to_string();
        assert_eq!(foreign.replace("21", "N"), unknown.replace("999", "N"));
        assert!(company_for(&user, "x|6").is_err());
        let admin = principal(UserType::IpsAdmin, vec![]);
        assert_eq!(company_for(&admin, "c|21").expect("admin"), CompanyHandle(21));
    }
}
