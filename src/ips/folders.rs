//! Folders: `getFolders`, `getFolderTree`, `createFolder`, `deleteFolder`,
//! `renameFolder`.
//!
//! A folder is named by its full path, company root first, ending in `/`
//! (`ApiTestCo/uploads/`), which is also its handle. Handles must lie under
//! the company's root; `folderPath` may also be relative to the root
//! (`/SpinSets`, `SpinSets`), as Adobe's `createFolder` example is.

use std::collections::HashMap;
use std::sync::Arc;

use crate::app::AppState;
use crate::auth::Principal;
use crate::catalog;
use crate::handles::{CompanyHandle, FolderHandle};

use super::copy_image::check_name;
use super::{company_for, release_blob, Error, Reply};

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

/// Deepest a new folder may be nested below the company root. A
/// `getFolderTree` reply nests two elements per level, so this keeps the
/// deepest tree under the 100 levels a strict XML reader accepts.
pub const MAX_FOLDER_DEPTH: usize = 40;

/// The parent of a folder path (`A/b/c/` → `A/b/`); `None` for a root.
fn parent(path: &str) -> Option<&str> {
    let trimmed = path.strip_suffix('/')?;
    trimmed.rfind('/').map(|i| &path[..=i])
}

/// Checks one path segment as asset names are checked, and refuses `.` and
/// `..` as well.
fn check_segment(name: &str) -> Result<(), Error> {
    if name == "." || name == ".." {
        return Err(Error::InvalidParameter(format!("name '{name}' is not allowed")));
    }
    check_name(name)
}

/// Prefixes an `InvalidParameter` reason with what it is about.
fn about(context: &str, e: Error) -> Error {
    match e {
        Error::InvalidParameter(reason) => Error::InvalidParameter(format!("{context}: {reason}")),
        other => other,
    }
}

fn not_found(folder: &str, company: &CompanyHandle) -> Error {
    Error::InvalidParameter(format!("Folder '{folder}' was not found in company '{company}'"))
}

/// The catalog's refusals, as the caller's faults; `folder` is the path the
/// refusal is about.
fn refusal(e: catalog::Error, company: &CompanyHandle, raw_company: &str, folder: &str) -> Error {
    match e {
        catalog::Error::CompanyNotFound => Error::InvalidCompany(raw_company.to_owned()),
        catalog::Error::FolderNotFound => not_found(folder, company),
        catalog::Error::FolderExists => Error::FolderExists(folder.to_owned()),
        catalog::Error::RootFolder => Error::InvalidParameter(format!(
            "Folder '{folder}' is the root folder of company '{company}' and cannot be changed"
        )),
        other => Error::Catalog(other),
    }
}

/// The company's root folder path.
async fn root_of(state: &Arc<AppState>, company: &CompanyHandle, raw: &str) -> Result<String, Error> {
    state
        .catalog
        .company_root(company.0)
        .await
        .map_err(|e| refusal(e, company, raw, ""))
}

/// A `folderPath` as a full path. `f|…` and paths starting with the root
/// (`ApiTestCo/SpinSets/`, or `ApiTestCo` alone) are full paths; anything
/// else is relative to the root, a leading `/` included (`/SpinSets` →
/// `ApiTestCo/SpinSets/`). Empty and `/` are the root.
fn resolve_path(raw: &str, root: &str, company: &CompanyHandle) -> Result<String, Error> {
    let bare_root = root.strip_suffix('/').unwrap_or(root);
    let rest = if let Some(full) = raw.strip_prefix("f|") {
        if full == bare_root {
            ""
        } else {
            full.strip_prefix(root).ok_or_else(|| not_found(full, company))?
        }
    } else if let Some(relative) = raw.strip_prefix('/') {
        relative
    } else if raw == bare_root {
        ""
    } else {
        raw.strip_prefix(root).unwrap_or(raw)
    };
    let mut path = root.to_owned();
    if !rest.is_empty() {
        // One trailing `/` is optional; every segment before it must be a
        // valid name (so `a//b` and `//` are refused, not collapsed).
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        for segment in rest.split('/') {
            check_segment(segment).map_err(|e| about(&format!("Invalid folder path '{raw}'"), e))?;
            path.push_str(segment);
            path.push('/');
        }
    }
    Ok(path)
}

/// A `folderHandle`, which must name a folder under the company's root.
fn folder_handle(raw: &str, root: &str, company: &CompanyHandle) -> Result<String, Error> {
    let handle =
        FolderHandle::parse(raw).ok_or_else(|| Error::InvalidParameter(format!("Invalid folder handle '{raw}'")))?;
    if handle.0.starts_with(root) {
        Ok(handle.0)
    } else {
        Err(not_found(&handle.0, company))
    }
}

/// Each folder's subfolders, in path order (the paths come sorted).
fn children_of(paths: &[String]) -> HashMap<&str, Vec<&str>> {
    let mut children: HashMap<&str, Vec<&str>> = HashMap::new();
    for path in paths {
        if let Some(p) = parent(path) {
            children.entry(p).or_default().push(path);
        }
    }
    children
}

/// The tree under `path`, `remaining` levels deep (`None`: all of it).
fn build(path: &str, children: &HashMap<&str, Vec<&str>>, remaining: Option<u32>) -> FolderNode {
    let kids = children.get(path).filter(|k| !k.is_empty());
    let subfolders = match (kids, remaining) {
        (Some(_), Some(0)) | (None, _) => None,
        (Some(kids), _) => Some(
            kids.iter()
                .map(|k| build(k, children, remaining.map(|n| n - 1)))
                .collect(),
        ),
    };
    FolderNode {
        path: path.to_owned(),
        has_subfolders: kids.is_some(),
        subfolders,
    }
}

/// The folder at `folderPath` (the company root if absent) and every
/// folder below it.
async fn subtree(
    state: &Arc<AppState>,
    principal: &Principal,
    raw_company: &str,
    folder_path: Option<&str>,
) -> Result<Vec<String>, Error> {
    let company = company_for(principal, raw_company)?;
    let root = root_of(state, &company, raw_company).await?;
    let path = match folder_path {
        None => root,
        Some(raw) => resolve_path(raw, &root, &company)?,
    };
    state
        .catalog
        .folder_subtree(company.0, path.clone())
        .await
        .map_err(|e| refusal(e, &company, raw_company, &path))
}

/// A flat list, sorted by path: the folder and all its descendants.
pub(super) async fn get_folders(state: &Arc<AppState>, principal: &Principal, req: GetFolders) -> Result<Reply, Error> {
    let paths = subtree(state, principal, &req.company, req.folder_path.as_deref()).await?;
    let children = children_of(&paths);
    let list = paths
        .iter()
        .map(|p| FolderNode {
            path: p.clone(),
            has_subfolders: children.contains_key(p.as_str()),
            subfolders: None,
        })
        .collect();
    Ok(Reply::Folders(list))
}

/// The folder with its subfolders nested `depth` levels deep: 0 is the
/// folder alone, a negative depth is the whole tree. A folder whose
/// subfolders are not listed still says whether it has any.
pub(super) async fn get_folder_tree(
    state: &Arc<AppState>,
    principal: &Principal,
    req: GetFolderTree,
) -> Result<Reply, Error> {
    let paths = subtree(state, principal, &req.company, req.folder_path.as_deref()).await?;
    let children = children_of(&paths);
    let remaining = u32::try_from(req.depth).ok();
    let root = paths.first().map(|p| build(p, &children, remaining));
    Ok(Reply::FolderTree(root))
}

pub(super) async fn create_folder(
    state: &Arc<AppState>,
    principal: &Principal,
    req: CreateFolder,
) -> Result<Reply, Error> {
    let company = company_for(principal, &req.company)?;
    let root = root_of(state, &company, &req.company).await?;
    let path = resolve_path(&req.folder_path, &root, &company)?;
    let depth = path[root.len()..].matches('/').count();
    if depth > MAX_FOLDER_DEPTH {
        return Err(Error::InvalidParameter(format!(
            "Invalid folder path '{}': folders nest at most {MAX_FOLDER_DEPTH} levels below the company root",
            req.folder_path
        )));
    }
    let parent = parent(&path).unwrap_or(&root).to_owned();
    state
        .catalog
        .create_folder(company.0, path.clone())
        .await
        .map_err(|e| match e {
            // The folder's own path is new; what is missing is its parent.
            catalog::Error::FolderNotFound => not_found(&parent, &company),
            other => refusal(other, &company, &req.company, &path),
        })?;
    Ok(Reply::FolderHandle(path))
}

/// Deletes the folder, its subfolders and their assets, then lets go of
/// the stored files no asset names any more.
pub(super) async fn delete_folder(
    state: &Arc<AppState>,
    principal: &Principal,
    req: DeleteFolder,
) -> Result<Reply, Error> {
    let company = company_for(principal, &req.company)?;
    let root = root_of(state, &company, &req.company).await?;
    let path = folder_handle(&req.folder, &root, &company)?;
    if path == root {
        return Err(Error::InvalidParameter(format!(
            "Folder '{path}' is the root folder of company '{company}' and cannot be deleted"
        )));
    }
    let hashes = state
        .catalog
        .delete_folder(company.0, path.clone())
        .await
        .map_err(|e| refusal(e, &company, &req.company, &path))?;
    // The deletion has committed: the files are released only now.
    for hash in hashes {
        release_blob(state, hash).await;
    }
    Ok(Reply::Empty)
}

/// Gives the folder a new last path segment; its subfolders and assets
/// move with it.
pub(super) async fn rename_folder(
    state: &Arc<AppState>,
    principal: &Principal,
    req: RenameFolder,
) -> Result<Reply, Error> {
    let company = company_for(principal, &req.company)?;
    let root = root_of(state, &company, &req.company).await?;
    let path = folder_handle(&req.folder, &root, &company)?;
    check_segment(&req.name).map_err(|e| about("Invalid folderName", e))?;
    if path == root {
        return Err(Error::InvalidParameter(format!(
            "Folder '{path}' is the root folder of company '{company}' and cannot be renamed"
        )));
    }
    let new_path = format!("{}{}/", parent(&path).unwrap_or(&root), req.name);
    state
        .catalog
        .rename_folder(company.0, path.clone(), new_path.clone())
        .await
        .map_err(|e| match e {
            catalog::Error::FolderExists => Error::FolderExists(new_path.clone()),
            other => refusal(other, &company, &req.company, &path),
        })?;
    Ok(Reply::FolderHandle(new_path))
}

#[cfg(test)]
mod tests {
    use super::*;

    const C6: CompanyHandle = CompanyHandle(6);

    #[test]
    fn folder_paths_resolve_against_the_root() {
        let root = "ApiTestCo/";
        for (raw, want) in [
            ("/SpinSets", "ApiTestCo/SpinSets/"),
            ("SpinSets", "ApiTestCo/SpinSets/"),
            ("SpinSets/", "ApiTestCo/SpinSets/"),
            ("ApiTestCo/SpinSets/", "ApiTestCo/SpinSets/"),
            ("f|ApiTestCo/SpinSets/", "ApiTestCo/SpinSets/"),
            ("/a b/c", "ApiTestCo/a b/c/"),
            ("ApiTestCo", "ApiTestCo/"),
            ("ApiTestCo/", "ApiTestCo/"),
            ("f|ApiTestCo", "ApiTestCo/"),
            ("/", "ApiTestCo/"),
            ("", "ApiTestCo/"),
            ("OtherCo/x", "ApiTestCo/OtherCo/x/"),
        ] {
            assert_eq!(resolve_path(raw, root, &C6).expect(raw), want, "{raw:?}");
        }
        for raw in ["a//b", "/../x", "a/./b", "f|OtherCo/x/", "x\ty", "a\\b", "//"] {
            assert!(
                matches!(resolve_path(raw, root, &C6), Err(Error::InvalidParameter(_))),
                "{raw:?} was accepted"
            );
        }
        let long = format!("/{}", "x".repeat(256));
        assert!(resolve_path(&long, root, &C6).is_err());
    }

    #[test]
    fn folder_handles_must_lie_under_the_root() {
        let root = "ApiTestCo/";
        assert_eq!(
            folder_handle("f|ApiTestCo/uploads", root, &C6).expect("ok"),
            "ApiTestCo/uploads/"
        );
        let err = folder_handle("OtherCo/", root, &C6).expect_err("foreign");
        assert_eq!(err.to_string(), "Folder 'OtherCo/' was not found in company 'c|6'");
        assert!(folder_handle("ApiTestCo2/", root, &C6).is_err());
        assert!(folder_handle("/etc/", root, &C6).is_err());
    }

    #[test]
    fn trees_nest_to_the_requested_depth() {
        let paths: Vec<String> = ["A/", "A/b/", "A/b/c/", "A/b/c/d/", "A/e/"]
            .into_iter()
            .map(String::from)
            .collect();
        let children = children_of(&paths);
        let shape = |n: &FolderNode| {
            fn walk(n: &FolderNode, out: &mut String) {
                out.push_str(&n.path);
                out.push(if n.has_subfolders { '+' } else { '-' });
                if let Some(kids) = &n.subfolders {
                    out.push('[');
                    for k in kids {
                        walk(k, out);
                    }
                    out.push(']');
                }
            }
            let mut out = String::new();
            walk(n, &mut out);
            out
        };
        assert_eq!(shape(&build("A/", &children, Some(0))), "A/+");
        assert_eq!(shape(&build("A/", &children, Some(1))), "A/+[A/b/+A/e/-]");
        assert_eq!(
            shape(&build("A/", &children, None)),
            "A/+[A/b/+[A/b/c/+[A/b/c/d/-]]A/e/-]"
        );
        assert_eq!(shape(&build("A/b/c/d/", &children, None)), "A/b/c/d/-");
    }
}
