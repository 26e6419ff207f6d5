//! IPS operations: what each one means, who may call it, and doing it.
//!
//! The SOAP layer decodes a request into an [`Operation`]; this layer checks
//! the caller's user type against the operation's declared list, checks
//! company membership once, and dispatches. It knows nothing of XML.

mod assets;
mod copy_image;
mod folders;
mod identity;
mod upload;

use std::sync::Arc;

pub use assets::{
    DeleteAsset, DeleteAssets, GetAssets, GetAssetsByName, MoveAsset, MoveAssets, RenameAsset, ReplaceImage,
    SearchAssets, SearchCondition, SetUrlModifier,
};
pub use catalog::AssetDetail;
pub use copy_image::CopyImage;
pub use folders::{CreateFolder, DeleteFolder, FolderNode, GetFolderTree, GetFolders, RenameFolder};
pub use identity::{CheckLogin, CompanyInfo, GetCompanyInfo, GetUserInfo, UserInfo};
pub use upload::{Upload, UploadJob, UploadedFile};

use crate::app::AppState;
use crate::auth::{Principal, UserType};
use crate::handles::CompanyHandle;
use crate::{auth, catalog, render, store};

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
    /// The name is taken within the company (30000, as IPS answers it).
    #[error("Asset ID '{0}' is already in use.")]
    NameInUse(String),
    /// The company already has a folder at that path (30000, like a name
    /// clash).
    #[error("Folder '{0}' already exists.")]
    FolderExists(String),
    /// Checking a login (not the caller's) failed for a reason other than
    /// the credentials.
    #[error(transparent)]
    Auth(#[from] auth::Error),
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
    /// `checkLogin`.
    CheckLogin,
    /// `getCompanyInfo`.
    GetCompanyInfo,
    /// `getUserInfo`.
    GetUserInfo,
    /// `getFolders`.
    GetFolders,
    /// `getFolderTree`.
    GetFolderTree,
    /// `createFolder`.
    CreateFolder,
    /// `deleteFolder`.
    DeleteFolder,
    /// `renameFolder`.
    RenameFolder,
    /// `getAssets`.
    GetAssets,
    /// `getAssetsByName`.
    GetAssetsByName,
    /// `searchAssets`.
    SearchAssets,
    /// `renameAsset`.
    RenameAsset,
    /// `moveAsset`.
    MoveAsset,
    /// `moveAssets`.
    MoveAssets,
    /// `deleteAsset`.
    DeleteAsset,
    /// `deleteAssets`.
    DeleteAssets,
    /// `setUrlModifier`.
    SetUrlModifier,
    /// `replaceImage`.
    ReplaceImage,
    /// A POST to the upload servlet, `/scene7/UploadFile` (not a SOAP
    /// operation, so not in [`OperationKind::ALL`]).
    UploadFile,
}

/// Who may change assets and folders: the "Authorized User Types" every
/// writing operation's reference page lists (copyImage's list).
const WRITERS: &[UserType] = &[
    UserType::IpsAdmin,
    UserType::IpsCompanyAdmin,
    UserType::IpsUser,
    UserType::ImagePortalAdmin,
    UserType::ImagePortalContrib,
    UserType::ImagePortalContribUser,
];

/// Every user type an operation can be authorized for (`WebServiceUser` is
/// listed by no operation's page).
const EVERYONE: &[UserType] = &[
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

impl OperationKind {
    /// Every implemented operation, in the order the WSDL lists them.
    pub const ALL: [OperationKind; 19] = [
        OperationKind::CopyImage,
        OperationKind::CheckLogin,
        OperationKind::GetCompanyInfo,
        OperationKind::GetUserInfo,
        OperationKind::GetFolders,
        OperationKind::GetFolderTree,
        OperationKind::CreateFolder,
        OperationKind::DeleteFolder,
        OperationKind::RenameFolder,
        OperationKind::GetAssets,
        OperationKind::GetAssetsByName,
        OperationKind::SearchAssets,
        OperationKind::RenameAsset,
        OperationKind::MoveAsset,
        OperationKind::MoveAssets,
        OperationKind::DeleteAsset,
        OperationKind::DeleteAssets,
        OperationKind::SetUrlModifier,
        OperationKind::ReplaceImage,
    ];

    /// The operation's wire name.
    pub fn name(self) -> &'static str {
        use OperationKind::*;
        match self {
            CopyImage => "copyImage",
            CheckLogin => "checkLogin",
            GetCompanyInfo => "getCompanyInfo",
            GetUserInfo => "getUserInfo",
            GetFolders => "getFolders",
            GetFolderTree => "getFolderTree",
            CreateFolder => "createFolder",
            DeleteFolder => "deleteFolder",
            RenameFolder => "renameFolder",
            GetAssets => "getAssets",
            GetAssetsByName => "getAssetsByName",
            SearchAssets => "searchAssets",
            RenameAsset => "renameAsset",
            MoveAsset => "moveAsset",
            MoveAssets => "moveAssets",
            DeleteAsset => "deleteAsset",
            DeleteAssets => "deleteAssets",
            SetUrlModifier => "setUrlModifier",
            ReplaceImage => "replaceImage",
            UploadFile => "UploadFile",
        }
    }

    /// Looks an implemented operation up by wire name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The "Authorized User Types" of the operation's IPS reference page.
    /// Where a page has an obvious slip (a typo'd type, or IpsCompanyAdmin
    /// missing from getCompanyInfo while it may call every other read), the
    /// evident intent is taken; see the README.
    pub fn allowed_user_types(self) -> &'static [UserType] {
        use OperationKind::*;
        use UserType::*;
        match self {
            CheckLogin | GetCompanyInfo | GetUserInfo | GetFolders | GetAssets | SearchAssets => EVERYONE,
            GetFolderTree => &[
                IpsAdmin,
                IpsCompanyAdmin,
                IpsUser,
                TrialSiteAdmin,
                TrialSiteUser,
                ImagePortalContrib,
                ImagePortalContribUser,
            ],
            GetAssetsByName => &[
                IpsAdmin,
                IpsCompanyAdmin,
                IpsUser,
                TrialSiteAdmin,
                TrialSiteUser,
                ImagePortalAdmin,
                ImagePortalContrib,
                ImagePortalContribUser,
            ],
            CopyImage | CreateFolder | DeleteFolder | RenameFolder | RenameAsset | MoveAsset | MoveAssets
            | DeleteAsset | DeleteAssets | SetUrlModifier | ReplaceImage => WRITERS,
            // The servlet's page names no user types; uploading makes image
            // assets as copyImage does, so the same user types may.
            UploadFile => WRITERS,
        }
    }
}

/// A decoded request.
#[derive(Clone, Debug)]
pub enum Operation {
    /// `copyImage`.
    CopyImage(CopyImage),
    /// `checkLogin`.
    CheckLogin(CheckLogin),
    /// `getCompanyInfo`.
    GetCompanyInfo(GetCompanyInfo),
    /// `getUserInfo`.
    GetUserInfo(GetUserInfo),
    /// `getFolders`.
    GetFolders(GetFolders),
    /// `getFolderTree`.
    GetFolderTree(GetFolderTree),
    /// `createFolder`.
    CreateFolder(CreateFolder),
    /// `deleteFolder`.
    DeleteFolder(DeleteFolder),
    /// `renameFolder`.
    RenameFolder(RenameFolder),
    /// `getAssets`.
    GetAssets(GetAssets),
    /// `getAssetsByName`.
    GetAssetsByName(GetAssetsByName),
    /// `searchAssets`.
    SearchAssets(SearchAssets),
    /// `renameAsset`.
    RenameAsset(RenameAsset),
    /// `moveAsset`.
    MoveAsset(MoveAsset),
    /// `moveAssets`.
    MoveAssets(MoveAssets),
    /// `deleteAsset`.
    DeleteAsset(DeleteAsset),
    /// `deleteAssets`.
    DeleteAssets(DeleteAssets),
    /// `setUrlModifier`.
    SetUrlModifier(SetUrlModifier),
    /// `replaceImage`.
    ReplaceImage(ReplaceImage),
    /// A POST to the upload servlet.
    Upload(Upload),
}

impl Operation {
    /// Which operation this is.
    pub fn kind(&self) -> OperationKind {
        use OperationKind as K;
        match self {
            Operation::CopyImage(_) => K::CopyImage,
            Operation::CheckLogin(_) => K::CheckLogin,
            Operation::GetCompanyInfo(_) => K::GetCompanyInfo,
            Operation::GetUserInfo(_) => K::GetUserInfo,
            Operation::GetFolders(_) => K::GetFolders,
            Operation::GetFolderTree(_) => K::GetFolderTree,
            Operation::CreateFolder(_) => K::CreateFolder,
            Operation::DeleteFolder(_) => K::DeleteFolder,
            Operation::RenameFolder(_) => K::RenameFolder,
            Operation::GetAssets(_) => K::GetAssets,
            Operation::GetAssetsByName(_) => K::GetAssetsByName,
            Operation::SearchAssets(_) => K::SearchAssets,
            Operation::RenameAsset(_) => K::RenameAsset,
            Operation::MoveAsset(_) => K::MoveAsset,
            Operation::MoveAssets(_) => K::MoveAssets,
            Operation::DeleteAsset(_) => K::DeleteAsset,
            Operation::DeleteAssets(_) => K::DeleteAssets,
            Operation::SetUrlModifier(_) => K::SetUrlModifier,
            Operation::ReplaceImage(_) => K::ReplaceImage,
            Operation::Upload(_) => K::UploadFile,
        }
    }
}

/// What an operation returns. The SOAP layer picks the return element from
/// the operation; operations that answer nothing reply [`Reply::Empty`].
#[derive(Debug)]
pub enum Reply {
    /// Nothing beyond the empty return element.
    Empty,
    /// A new or unchanged asset's handle (`copyImage`, `replaceImage`).
    AssetHandle(String),
    /// `checkLogin`: whether the login is valid.
    LoginStatus(bool),
    /// `getCompanyInfo`.
    Company(CompanyInfo),
    /// `getUserInfo`.
    User(UserInfo),
    /// A folder's handle (`createFolder`, `renameFolder`).
    FolderHandle(String),
    /// `getFolders`: a flat list.
    Folders(Vec<FolderNode>),
    /// `getFolderTree`: the root of the tree.
    FolderTree(Option<FolderNode>),
    /// `getAssets`, `getAssetsByName`.
    Assets(Vec<AssetDetail>),
    /// `searchAssets`: the total match count and the requested page.
    Search {
        /// Matches over all pages.
        total: u64,
        /// This page.
        assets: Vec<AssetDetail>,
    },
    /// `moveAssets`, `deleteAssets`: per-asset outcomes.
    Batch(BatchOutcome),
    /// `uploadPostReturn`: the upload job's handle, for its further requests.
    UploadJob(String),
}

/// The outcome of an operation over several assets: each one succeeds or
/// fails on its own, and failures are reported per asset, not as a fault.
#[derive(Debug, Default)]
pub struct BatchOutcome {
    /// How many assets the operation succeeded on.
    pub success: u32,
    /// The handles it failed on, each with why (the SOAP layer turns the
    /// error into a code and reason, as it would a fault).
    pub errors: Vec<(String, Error)>,
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
pub(crate) fn company_for(principal: &Principal, raw: &str) -> Result<CompanyHandle, Error> {
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
        Operation::CheckLogin(req) => identity::check_login(state, principal, req).await,
        Operation::GetCompanyInfo(req) => identity::get_company_info(state, principal, req).await,
        Operation::GetUserInfo(req) => identity::get_user_info(state, principal, req).await,
        Operation::GetFolders(req) => folders::get_folders(state, principal, req).await,
        Operation::GetFolderTree(req) => folders::get_folder_tree(state, principal, req).await,
        Operation::CreateFolder(req) => folders::create_folder(state, principal, req).await,
        Operation::DeleteFolder(req) => folders::delete_folder(state, principal, req).await,
        Operation::RenameFolder(req) => folders::rename_folder(state, principal, req).await,
        Operation::GetAssets(req) => assets::get_assets(state, principal, req).await,
        Operation::GetAssetsByName(req) => assets::get_assets_by_name(state, principal, req).await,
        Operation::SearchAssets(req) => assets::search_assets(state, principal, req).await,
        Operation::RenameAsset(req) => assets::rename_asset(state, principal, req).await,
        Operation::MoveAsset(req) => assets::move_asset(state, principal, req).await,
        Operation::MoveAssets(req) => assets::move_assets(state, principal, req).await,
        Operation::DeleteAsset(req) => assets::delete_asset(state, principal, req).await,
        Operation::DeleteAssets(req) => assets::delete_assets(state, principal, req).await,
        Operation::SetUrlModifier(req) => assets::set_url_modifier(state, principal, req).await,
        Operation::ReplaceImage(req) => assets::replace_image(state, principal, req).await,
        Operation::Upload(req) => {
            let company = company_for(principal, &req.company)?;
            upload::execute(state, principal, company, req).await
        }
    }
}

/// Removes a stored file once no asset names it (a deleted asset's, a
/// replaced image's old bytes, a rendering whose row was refused). The check
/// and the removal run on the catalog worker, so no row naming the file can
/// commit in between; a file a request has pinned stays. A failure is only
/// logged: the file is garbage the next start-up sweeps.
pub(crate) async fn release_blob(state: &Arc<AppState>, hash: String) {
    let store = state.store.clone();
    let released = state
        .catalog
        .release_blob(hash, move |h| {
            if let Err(e) = store.remove_unpinned(h) {
                tracing::warn!(error = %e, "could not remove an unused stored file");
            }
        })
        .await;
    if let Err(e) = released {
        tracing::warn!(error = %e, "could not release an unused stored file");
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
