//! IPS operations: what each one means, who may call it, and doing it.
//!
//! The SOAP layer decodes a request into an [`Operation`]; this layer checks
//! the caller's user type against the operation's declared list, checks
//! company membership once, and dispatches. It knows nothing of XML.

mod copy_image;
mod upload;

use std::sync::Arc;

pub use copy_image::CopyImage;
pub use upload::{Upload, UploadJob, UploadedFile};

use crate::app::AppState;
use crate::auth::{Principal, UserType};
use crate::handles::CompanyHandle;
use crate::{catalog, render, store};

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
    /// A parameter's value is unacceptable (30001).
    #[error("{0}")]
    InvalidParameter(String),
    /// The name is taken within the company (30000, as IPS answers it).
    #[error("Asset ID '{0}' is already in use.")]
    NameInUse(String),
    /// The catalog failed.
    #[error(transparent)]
    Catalog(#[from] catalog::Error),
    /// The blob store failed.
    #[error(transparent)]
    Store(#[from] store::Error),
    /// The renderer failed.
    #[error(transparent)]
    Render(#[from] render::Error),
    /// Blocking work could not be scheduled.
    #[error("background task failed")]
    Task,
}

/// The operations the emulator implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperationKind {
    /// `copyImage`.
    CopyImage,
    /// A POST to the upload servlet, `/scene7/UploadFile` (not a SOAP
    /// operation).
    UploadFile,
}

impl OperationKind {
    /// Every operation the SOAP endpoint implements.
    pub const ALL: [OperationKind; 1] = [OperationKind::CopyImage];

    /// The operation's wire name (the servlet's name for `UploadFile`).
    pub fn name(self) -> &'static str {
        match self {
            OperationKind::CopyImage => "copyImage",
            OperationKind::UploadFile => "UploadFile",
        }
    }

    /// Looks a SOAP operation up by wire name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The "Authorized User Types" of the operation's IPS reference page.
    /// The upload servlet's page names none; uploading makes image assets
    /// as copyImage does, so the same user types may.
    pub fn allowed_user_types(self) -> &'static [UserType] {
        use UserType::*;
        match self {
            OperationKind::CopyImage | OperationKind::UploadFile => &[
                IpsAdmin,
                IpsCompanyAdmin,
                IpsUser,
                ImagePortalAdmin,
                ImagePortalContrib,
                ImagePortalContribUser,
            ],
        }
    }
}

/// A decoded request.
#[derive(Clone, Debug)]
pub enum Operation {
    /// `copyImage`.
    CopyImage(CopyImage),
    /// A POST to the upload servlet.
    Upload(Upload),
}

impl Operation {
    /// Which operation this is.
    pub fn kind(&self) -> OperationKind {
        match self {
            Operation::CopyImage(_) => OperationKind::CopyImage,
            Operation::Upload(_) => OperationKind::UploadFile,
        }
    }
}

/// What an operation returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    /// `copyImageReturn`.
    CopyImage {
        /// The new asset's handle.
        asset_handle: String,
    },
    /// `uploadPostReturn`.
    Upload {
        /// The upload job's handle, for the job's further requests.
        job_handle: String,
    },
}

/// Checks that the caller's user type may call `kind` (20003 otherwise).
/// Runs before the request's parameters are even decoded.
pub fn authorize(principal: &Principal, kind: OperationKind) -> Result<(), Error> {
    if kind.allowed_user_types().contains(&principal.user_type) {
        Ok(())
    } else {
        Err(Error::NotPermitted(kind.name()))
    }
}

/// Resolves the company handle and checks membership. IpsAdmin reaches every
/// company; whether it exists is then settled by the operation's own lookup,
/// which fails with the same `InvalidCompany`.
fn company_for(principal: &Principal, raw: &str) -> Result<CompanyHandle, Error> {
    let handle = CompanyHandle::parse(raw).ok_or_else(|| Error::InvalidCompany(raw.to_owned()))?;
    let member = principal.companies.contains(&handle.0);
    if member || principal.user_type == UserType::IpsAdmin {
        Ok(handle)
    } else {
        Err(Error::InvalidCompany(raw.to_owned()))
    }
}

/// Runs an authorized operation.
pub async fn execute(state: &Arc<AppState>, principal: &Principal, op: Operation) -> Result<Reply, Error> {
    authorize(principal, op.kind())?;
    match op {
        Operation::CopyImage(req) => {
            let company = company_for(principal, &req.company)?;
            copy_image::execute(state, principal, company, req).await
        }
        Operation::Upload(req) => {
            let company = company_for(principal, &req.company)?;
            upload::execute(state, principal, company, req).await
        }
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
        let allowed: Vec<_> = UserType::ALL
            .into_iter()
            .filter(|t| authorize(&principal(*t, vec![6]), OperationKind::CopyImage).is_ok())
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
        let err =
            authorize(&principal(UserType::ImagePortalUser, vec![6]), OperationKind::CopyImage).expect_err("refused");
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
