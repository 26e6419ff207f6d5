//! Folders: `getFolders`, `getFolderTree`, `createFolder`, `deleteFolder`,
//! `renameFolder`.

use std::sync::Arc;

use crate::app::AppState;
use crate::auth::Principal;

use super::{Error, Reply};

/// `getFoldersParam`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetFolders {
    /// `companyHandle`.
    pub company: String,
    /// `folderPath`: the folder to list from (the company root if absent).
    pub folder_path: Option<String>,
}

/// `getFolderTreeParam`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetFolderTree {
    /// `companyHandle`.
    pub company: String,
    /// `folderPath`: the tree's root (the company root if absent).
    pub folder_path: Option<String>,
    /// `depth`: 0 is the root alone; negative is unlimited.
    pub depth: i32,
}

/// `createFolderParam`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateFolder {
    /// `companyHandle`.
    pub company: String,
    /// `folderPath`: `/SpinSets`, `SpinSets`, or `ApiTestCo/SpinSets/`.
    pub folder_path: String,
}

/// `deleteFolderParam`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeleteFolder {
    /// `companyHandle`.
    pub company: String,
    /// `folderHandle`.
    pub folder: String,
}

/// `renameFolderParam`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenameFolder {
    /// `companyHandle`.
    pub company: String,
    /// `folderHandle`.
    pub folder: String,
    /// `folderName`: the new last path segment.
    pub name: String,
}

/// A folder as `Folder` describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FolderNode {
    /// Full path, company root first, ending in `/` (also its handle).
    pub path: String,
    /// Whether it has subfolders.
    pub has_subfolders: bool,
    /// Its subfolders, in a tree reply (`None` in a flat list, or below the
    /// requested depth).
    pub subfolders: Option<Vec<FolderNode>>,
}

pub(super) async fn get_folders(
    _state: &Arc<AppState>,
    _principal: &Principal,
    _req: GetFolders,
) -> Result<Reply, Error> {
    Err(Error::InvalidParameter("getFolders: not built yet".into()))
}

pub(super) async fn get_folder_tree(
    _state: &Arc<AppState>,
    _principal: &Principal,
    _req: GetFolderTree,
) -> Result<Reply, Error> {
    Err(Error::InvalidParameter("getFolderTree: not built yet".into()))
}

pub(super) async fn create_folder(
    _state: &Arc<AppState>,
    _principal: &Principal,
    _req: CreateFolder,
) -> Result<Reply, Error> {
    Err(Error::InvalidParameter("createFolder: not built yet".into()))
}

pub(super) async fn delete_folder(
    _state: &Arc<AppState>,
    _principal: &Principal,
    _req: DeleteFolder,
) -> Result<Reply, Error> {
    Err(Error::InvalidParameter("deleteFolder: not built yet".into()))
}

pub(super) async fn rename_folder(
    _state: &Arc<AppState>,
    _principal: &Principal,
    _req: RenameFolder,
) -> Result<Reply, Error> {
    Err(Error::InvalidParameter("renameFolder: not built yet".into()))
}
