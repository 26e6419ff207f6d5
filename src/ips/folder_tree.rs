//! Folders as the folder operations see them: paths resolved against the
//! company root, handles checked to lie under it, and listings and trees
//! built from the catalog's rows.
//!
//! A folder is named by its full path, company root first, ending in `/`
//! (`ApiTestCo/uploads/`), which is also its handle. Handles must lie under
//! the company's root; `folderPath` may also be relative to the root
//! (`/SpinSets`, `SpinSets`), as Adobe's `createFolder` example is.

use std::collections::HashMap;
use std::sync::Arc;

use crate::app::AppState;
use crate::auth::Principal;
use crate::catalog::FolderRow;
use crate::handles::{CompanyHandle, FolderHandle};

use super::names::check_segment;
use super::refusal::Subject;
use super::{company_for, Error};

/// A folder as `Folder` describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FolderNode {
    /// Full path, company root first, ending in `/` (also its handle).
    pub path: String,
    /// When it was created or last renamed.
    pub modified: String,
    /// The latest change among its assets and subfolders (its own when it
    /// has none).
    pub child_modified: String,
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
pub(crate) fn parent(path: &str) -> Option<&str> {
    let trimmed = path.strip_suffix('/')?;
    trimmed.rfind('/').map(|i| &path[..=i])
}

/// Prefixes an `InvalidParameter` reason with what it is about.
pub(crate) fn about(context: &str, e: Error) -> Error {
    match e {
        Error::InvalidParameter(reason) => Error::InvalidParameter(format!("{context}: {reason}")),
        other => other,
    }
}

fn not_found(folder: &str, company: &CompanyHandle) -> Error {
    Error::InvalidParameter(format!("Folder '{folder}' was not found in company '{company}'"))
}

/// The company's root folder path.
pub(crate) async fn root_of(state: &Arc<AppState>, company: CompanyHandle, raw: &str) -> Result<String, Error> {
    state
        .catalog
        .company_root(company.0)
        .await
        .map_err(|e| Subject::new(company, raw).refusal(e))
}

/// A `folderPath` as a full path. `f|…` and paths starting with the root
/// (`ApiTestCo/SpinSets/`, or `ApiTestCo` alone) are full paths; anything
/// else is relative to the root, a leading `/` included (`/SpinSets` →
/// `ApiTestCo/SpinSets/`). Empty and `/` are the root.
pub(crate) fn resolve_path(raw: &str, root: &str, company: &CompanyHandle) -> Result<String, Error> {
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
pub(crate) fn folder_under_root(raw: &str, root: &str, company: &CompanyHandle) -> Result<String, Error> {
    let handle =
        FolderHandle::parse(raw).ok_or_else(|| Error::InvalidParameter(format!("Invalid folder handle '{raw}'")))?;
    if handle.0.starts_with(root) {
        Ok(handle.0)
    } else {
        Err(not_found(&handle.0, company))
    }
}

/// The folder at `folderPath` (the company root if absent) and every
/// folder below it, sorted by path.
pub(crate) async fn subtree(
    state: &Arc<AppState>,
    principal: &Principal,
    raw_company: &str,
    folder_path: Option<&str>,
) -> Result<Vec<FolderRow>, Error> {
    let company = company_for(principal, raw_company)?;
    let root = root_of(state, company, raw_company).await?;
    let path = match folder_path {
        None => root,
        Some(raw) => resolve_path(raw, &root, &company)?,
    };
    state
        .catalog
        .folder_subtree(company.0, path.clone())
        .await
        .map_err(|e| Subject::new(company, raw_company).folder(&path).refusal(e))
}

/// The folders of a subtree, each with its subfolders (in path order) and
/// the latest change among what it holds.
pub(crate) struct Listing<'r> {
    rows: HashMap<&'r str, &'r FolderRow>,
    children: HashMap<&'r str, Vec<&'r str>>,
}

impl<'r> Listing<'r> {
    /// Indexes rows sorted by path.
    pub(crate) fn new(rows: &'r [FolderRow]) -> Self {
        let mut children: HashMap<&str, Vec<&str>> = HashMap::new();
        for row in rows {
            if let Some(p) = parent(&row.path) {
                children.entry(p).or_default().push(&row.path);
            }
        }
        Listing {
            rows: rows.iter().map(|r| (r.path.as_str(), r)).collect(),
            children,
        }
    }

    /// The folder at `path` with its subfolders `remaining` levels deep
    /// (`Some(0)`: none listed; `None`: all of them).
    pub(crate) fn node(&self, path: &str, remaining: Option<u32>) -> FolderNode {
        let kids = self.children.get(path).filter(|k| !k.is_empty());
        let subfolders = match (kids, remaining) {
            (Some(_), Some(0)) | (None, _) => None,
            (Some(kids), _) => Some(kids.iter().map(|k| self.node(k, remaining.map(|n| n - 1))).collect()),
        };
        let row = self.rows.get(path);
        let modified = row.map(|r| r.modified.clone()).unwrap_or_default();
        let latest = kids
            .into_iter()
            .flatten()
            .filter_map(|k| self.rows.get(k).map(|r| r.modified.as_str()))
            .chain(row.and_then(|r| r.assets_modified.as_deref()))
            .max()
            .unwrap_or(&modified)
            .to_owned();
        FolderNode {
            path: path.to_owned(),
            child_modified: latest,
            modified,
            has_subfolders: kids.is_some(),
            subfolders,
        }
    }
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
            folder_under_root("f|ApiTestCo/uploads", root, &C6).expect("ok"),
            "ApiTestCo/uploads/"
        );
        let err = folder_under_root("OtherCo/", root, &C6).expect_err("foreign");
        assert_eq!(err.to_string(), "Folder 'OtherCo/' was not found in company 'c|6'");
        assert!(folder_under_root("ApiTestCo2/", root, &C6).is_err());
        assert!(folder_under_root("/etc/", root, &C6).is_err());
    }

    fn row(path: &str, modified: &str, assets: Option<&str>) -> FolderRow {
        FolderRow {
            path: path.into(),
            modified: modified.into(),
            assets_modified: assets.map(str::to_owned),
        }
    }

    #[test]
    fn trees_nest_to_the_requested_depth() {
        let rows = [
            row("A/", "1", None),
            row("A/b/", "2", Some("7")),
            row("A/b/c/", "3", None),
            row("A/b/c/d/", "4", None),
            row("A/e/", "5", None),
        ];
        let listing = Listing::new(&rows);
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
        assert_eq!(shape(&listing.node("A/", Some(0))), "A/+");
        assert_eq!(shape(&listing.node("A/", Some(1))), "A/+[A/b/+A/e/-]");
        assert_eq!(shape(&listing.node("A/", None)), "A/+[A/b/+[A/b/c/+[A/b/c/d/-]]A/e/-]");
        assert_eq!(shape(&listing.node("A/b/c/d/", None)), "A/b/c/d/-");
        // The latest of its subfolders' and its assets' changes.
        assert_eq!(listing.node("A/", Some(0)).child_modified, "5");
        assert_eq!(listing.node("A/b/", Some(0)).child_modified, "7");
        assert_eq!(listing.node("A/e/", Some(0)).child_modified, "5");
    }
}
