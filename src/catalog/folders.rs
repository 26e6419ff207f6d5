//! Companies, users and folders behind `getCompanyInfo`, `getUserInfo`,
//! `getFolders`, `getFolderTree`, `createFolder`, `deleteFolder` and
//! `renameFolder`.
//!
//! Folder paths are full paths, company root first, each ending in `/`; a
//! folder's descendants are exactly the paths it is a prefix of (the
//! trailing `/` keeps `uploads/` from matching `uploadsX/`). Every change is
//! one catalog job, so a concurrent call sees a folder tree either before a
//! change or after it, never half-way.

use super::db::{Conn, Row};
use rusqlite::{params, OptionalExtension};

use super::queries::clash_as;
use super::{Catalog, Error};

/// A company row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompanyRecord {
    /// Company id (`c|<id>`).
    pub id: i64,
    /// Display name.
    pub name: String,
    /// Root folder path, ending in `/`.
    pub root_path: String,
    /// When the company's account expires, if ever.
    pub expires: Option<String>,
}

/// A folder as listings show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FolderRow {
    /// Full path, company root first, ending in `/`.
    pub path: String,
    /// When it was created or last renamed.
    pub modified: String,
    /// The latest change among the assets directly in it, if it has any.
    pub assets_modified: Option<String>,
}

/// A user as `getUserInfo` describes one, with the companies it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserProfile {
    /// Row id.
    pub id: i64,
    /// Login e-mail, as stored.
    pub email: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// The IPS user type name, as stored.
    pub user_type: String,
    /// Ids of the companies the user belongs to, ascending.
    pub companies: Vec<i64>,
}

fn company_from_row(r: &Row<'_>) -> rusqlite::Result<CompanyRecord> {
    Ok(CompanyRecord {
        id: r.get(0)?,
        name: r.get(1)?,
        root_path: r.get(2)?,
        expires: r.get(3)?,
    })
}

fn company(conn: &Conn, company_id: i64) -> Result<CompanyRecord, Error> {
    conn.prepare_cached("SELECT id, name, root_path, expires FROM companies WHERE id = ?1")?
        .query_row([company_id], company_from_row)
        .optional()?
        .ok_or(Error::CompanyNotFound)
}

fn user_where(conn: &Conn, clause: &str, value: rusqlite::types::Value) -> Result<Option<UserProfile>, Error> {
    let sql = format!("SELECT id, email, first_name, last_name, user_type FROM users WHERE {clause}");
    let user = conn
        .prepare_cached(&sql)?
        .query_row([value], |r| {
            Ok(UserProfile {
                id: r.get(0)?,
                email: r.get(1)?,
                first_name: r.get(2)?,
                last_name: r.get(3)?,
                user_type: r.get(4)?,
                companies: Vec::new(),
            })
        })
        .optional()?;
    let Some(mut user) = user else { return Ok(None) };
    user.companies = super::queries::memberships(conn, user.id)?;
    Ok(Some(user))
}

/// The SQL condition "`path` is `?n` or below it", for a path ending in `/`.
fn under(n: u8) -> String {
    format!("substr(path, 1, length(?{n})) = ?{n}")
}

/// Whether the company has a folder at `path`.
fn exists(conn: &Conn, company_id: i64, path: &str) -> Result<bool, Error> {
    Ok(super::queries::folder_id(conn, company_id, path)?.is_some())
}

/// The folder at `path` and every folder below it, sorted by path.
fn subtree(conn: &Conn, company_id: i64, path: &str) -> Result<Vec<FolderRow>, Error> {
    company(conn, company_id)?;
    if !exists(conn, company_id, path)? {
        return Err(Error::FolderNotFound);
    }
    let sql = format!(
        "SELECT path, modified_at, (SELECT max(a.modified_at) FROM assets a WHERE a.folder_id = folders.id AND a.trashed_at IS NULL)
         FROM folders WHERE company_id = ?1 AND {} ORDER BY path",
        under(2)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(params![company_id, path], |r| {
            Ok(FolderRow {
                path: r.get(0)?,
                modified: r.get(1)?,
                assets_modified: r.get(2)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// The parent of a folder path (`A/b/c/` → `A/b/`); `None` for a root.
fn parent(path: &str) -> Option<&str> {
    let trimmed = path.strip_suffix('/')?;
    trimmed.rfind('/').map(|i| &path[..=i])
}

pub(super) fn create(conn: &Conn, company_id: i64, path: &str) -> Result<(), Error> {
    let root = company(conn, company_id)?.root_path;
    if !path.starts_with(&root) || !path.ends_with('/') {
        return Err(Error::FolderNotFound);
    }
    if exists(conn, company_id, path)? {
        return Err(Error::FolderExists);
    }
    // The root exists, so a path under it that is not the root has a parent.
    let parent = parent(path).ok_or(Error::FolderNotFound)?;
    if !exists(conn, company_id, parent)? {
        return Err(Error::FolderNotFound);
    }
    conn.prepare_cached("INSERT INTO folders (company_id, path) VALUES (?1, ?2)")?
        .execute(params![company_id, path])
        .map_err(clash_as(Error::FolderExists))?;
    Ok(())
}

/// Checks that `path` names an existing folder of the company other than
/// its root.
fn existing_non_root(conn: &Conn, company_id: i64, path: &str) -> Result<(), Error> {
    let root = company(conn, company_id)?.root_path;
    if !exists(conn, company_id, path)? {
        return Err(Error::FolderNotFound);
    }
    if path == root {
        return Err(Error::RootFolder);
    }
    Ok(())
}

fn delete(conn: &Conn, company_id: i64, path: &str) -> Result<Vec<String>, Error> {
    existing_non_root(conn, company_id, path)?;
    let in_subtree = format!("SELECT id FROM folders WHERE company_id = ?1 AND {}", under(2));
    let hashes = {
        let sql = format!(
            "SELECT DISTINCT content_hash FROM assets WHERE company_id = ?1 AND folder_id IN ({in_subtree})
             ORDER BY content_hash"
        );
        conn.prepare_cached(&sql)?
            .query_map(params![company_id, path], |r| r.get(0))?
            .collect::<Result<Vec<String>, _>>()?
    };
    conn.prepare_cached(&format!(
        "DELETE FROM assets WHERE company_id = ?1 AND folder_id IN ({in_subtree})"
    ))?
    .execute(params![company_id, path])?;
    conn.prepare_cached(&format!("DELETE FROM folders WHERE company_id = ?1 AND {}", under(2)))?
        .execute(params![company_id, path])?;
    Ok(hashes)
}

fn rename(conn: &Conn, company_id: i64, path: &str, new_path: &str) -> Result<(), Error> {
    existing_non_root(conn, company_id, path)?;
    if path == new_path {
        return Ok(());
    }
    // The new path must be free, and so must everything below it (a catalog
    // written before parents were guaranteed could hold an orphan there).
    let taken = conn
        .prepare_cached(&format!(
            "SELECT 1 FROM folders WHERE company_id = ?1 AND {} LIMIT 1",
            under(2)
        ))?
        .query_row(params![company_id, new_path], |_| Ok(()))
        .optional()?
        .is_some();
    if taken {
        return Err(Error::FolderExists);
    }
    // One statement rewrites the folder and every descendant's prefix (each
    // has a new path, so each is changed now); assets name folders by id,
    // so they follow.
    conn.prepare_cached(&format!(
        "UPDATE folders SET path = ?3 || substr(path, length(?2) + 1), modified_at = ?4
         WHERE company_id = ?1 AND {}",
        under(2)
    ))?
    .execute(params![
        company_id,
        path,
        new_path,
        super::queries::timestamp(std::time::SystemTime::now())
    ])
    .map_err(clash_as(Error::FolderExists))?;
    Ok(())
}

impl Catalog {
    /// A company by id.
    pub async fn company(&self, company_id: i64) -> Result<CompanyRecord, Error> {
        self.call_single_statement(move |t| company(t.conn, company_id)).await
    }

    /// A company by its exact name.
    pub async fn company_by_name(&self, name: String) -> Result<CompanyRecord, Error> {
        self.call_single_statement(move |t| {
            t.conn
                .prepare_cached("SELECT id, name, root_path, expires FROM companies WHERE name = ?1")?
                .query_row([name], company_from_row)
                .optional()?
                .ok_or(Error::CompanyNotFound)
        })
        .await
    }

    /// A user by row id.
    pub async fn user_profile(&self, user_id: i64) -> Result<Option<UserProfile>, Error> {
        self.call_single_statement(move |t| user_where(t.conn, "id = ?1", user_id.into()))
            .await
    }

    /// A user by login e-mail (case-insensitively, as logins are).
    pub async fn user_profile_by_email(&self, email: String) -> Result<Option<UserProfile>, Error> {
        self.call_single_statement(move |t| user_where(t.conn, "email = ?1", email.into()))
            .await
    }

    /// The company's folder at `path` and all folders below it, sorted by
    /// path. `FolderNotFound` if there is no folder at `path`.
    pub async fn folder_subtree(&self, company_id: i64, path: String) -> Result<Vec<FolderRow>, Error> {
        self.call_single_statement(move |t| subtree(t.conn, company_id, &path))
            .await
    }

    /// Creates a folder. Its parent must exist (`FolderNotFound`) and the
    /// path must be free (`FolderExists`).
    pub async fn create_folder(&self, company_id: i64, path: String) -> Result<(), Error> {
        self.call(move |t| create(t.conn, company_id, &path)).await
    }

    /// Deletes a folder (not the company root), its subfolders and every
    /// asset in them. Returns the blob keys the deleted assets named, for
    /// the caller to release once the deletion has committed.
    pub async fn delete_folder(&self, company_id: i64, path: String) -> Result<Vec<String>, Error> {
        self.call(move |t| delete(t.conn, company_id, &path)).await
    }

    /// Moves a folder (not the company root) and everything below it from
    /// `path` to `new_path`; the new path and everything below it must be
    /// free (`FolderExists`).
    pub async fn rename_folder(&self, company_id: i64, path: String, new_path: String) -> Result<(), Error> {
        self.call(move |t| rename(t.conn, company_id, &path, &new_path)).await
    }

    /// Moves the folder at `path` (and everything below it) to `new_path`,
    /// a child of the folder at `dest`; `Ok(false)` if there is no folder
    /// at `dest`, which the move checks in the same transaction.
    pub async fn move_folder(
        &self,
        company_id: i64,
        path: String,
        dest: String,
        new_path: String,
    ) -> Result<bool, Error> {
        self.call(move |t| {
            existing_non_root(t.conn, company_id, &path)?;
            if !exists(t.conn, company_id, &dest)? {
                return Ok(false);
            }
            rename(t.conn, company_id, &path, &new_path)?;
            Ok(true)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::super::{SeedAsset, SeedCompany, SeedData, SeedUser};
    use super::*;
    use crate::handles::AssetHandle;

    fn asset(id: i64, folder: &str, name: &str, hash: &str) -> SeedAsset {
        SeedAsset {
            id,
            image_id: id,
            company_id: 6,
            folder: folder.into(),
            name: name.into(),
            width: 1,
            height: 1,
            format: "png".into(),
            byte_size: 1,
            content_hash: hash.into(),
            url_modifier: String::new(),
            url_post_modifier: String::new(),
        }
    }

    fn seed() -> SeedData {
        SeedData {
            companies: vec![
                SeedCompany {
                    id: 6,
                    name: "ApiTestCo".into(),
                    root_path: "ApiTestCo/".into(),
                    expires: None,
                    folders: vec![
                        "ApiTestCo/uploads/".into(),
                        // Its parent ApiTestCo/uploads/deep/ is implied.
                        "ApiTestCo/uploads/deep/er/".into(),
                        "ApiTestCo/uploadsX/".into(),
                    ],
                    metadata_fields: Vec::new(),
                },
                SeedCompany {
                    id: 21,
                    name: "OtherCo".into(),
                    root_path: "OtherCo/".into(),
                    expires: None,
                    folders: vec!["OtherCo/uploads/".into()],
                    metadata_fields: Vec::new(),
                },
            ],
            users: vec![SeedUser {
                email: "ipsuser@ips.test".into(),
                password_hash: "$argon2id$fake".into(),
                user_type: "IpsUser".into(),
                first_name: "Ips".into(),
                last_name: "User".into(),
                companies: vec![21, 6],
            }],
            assets: vec![
                asset(1, "ApiTestCo/", "root-asset", "h-root"),
                asset(2, "ApiTestCo/uploads/", "up", "h-up"),
                asset(3, "ApiTestCo/uploads/deep/er/", "deeper", "h-shared"),
                asset(4, "ApiTestCo/uploads/deep/", "deep", "h-shared"),
                asset(5, "ApiTestCo/uploadsX/", "sibling", "h-sibling"),
            ],
            ..SeedData::default()
        }
    }

    async fn seeded() -> Catalog {
        let (catalog, _worker) = Catalog::open_in_memory().expect("open");
        catalog.apply_seed(seed()).await.expect("seed");
        catalog
    }

    async fn paths(catalog: &Catalog, company_id: i64) -> Vec<String> {
        let root = catalog.company(company_id).await.expect("company").root_path;
        let rows = catalog.folder_subtree(company_id, root).await.expect("subtree");
        rows.into_iter().map(|r| r.path).collect()
    }

    #[tokio::test]
    async fn companies_users_and_subtrees() {
        let catalog = seeded().await;
        let by_name = catalog.company_by_name("ApiTestCo".into()).await.expect("by name");
        assert_eq!(by_name, catalog.company(6).await.expect("by id"));
        assert_eq!(by_name.root_path, "ApiTestCo/");
        assert!(matches!(
            catalog.company_by_name("apitestco".into()).await,
            Err(Error::CompanyNotFound)
        ));
        assert!(matches!(catalog.company(99).await, Err(Error::CompanyNotFound)));

        let user = catalog
            .user_profile_by_email("IPSUSER@ips.test".into())
            .await
            .expect("query")
            .expect("found");
        assert_eq!(
            (user.email.as_str(), user.first_name.as_str(), user.user_type.as_str()),
            ("ipsuser@ips.test", "Ips", "IpsUser")
        );
        assert_eq!(user.companies, [6, 21]);
        assert_eq!(catalog.user_profile(user.id).await.expect("query"), Some(user));
        assert_eq!(catalog.user_profile(999).await.expect("query"), None);

        assert_eq!(
            paths(&catalog, 6).await,
            [
                "ApiTestCo/",
                "ApiTestCo/uploads/",
                "ApiTestCo/uploads/deep/",
                "ApiTestCo/uploads/deep/er/",
                "ApiTestCo/uploadsX/"
            ]
        );
        let rows = catalog
            .folder_subtree(6, "ApiTestCo/uploads/".into())
            .await
            .expect("subtree");
        // Assets count towards the folder holding them only.
        assert!(rows[0].assets_modified.is_some() && rows[1].assets_modified.is_some());
        assert!(rows.iter().all(|r| r.modified.len() == 24));
        assert_eq!(
            rows.iter().map(|r| r.path.as_str()).collect::<Vec<_>>(),
            [
                "ApiTestCo/uploads/",
                "ApiTestCo/uploads/deep/",
                "ApiTestCo/uploads/deep/er/"
            ]
        );
        assert!(matches!(
            catalog.folder_subtree(6, "OtherCo/uploads/".into()).await,
            Err(Error::FolderNotFound)
        ));
    }

    #[tokio::test]
    async fn create_needs_the_parent_and_a_free_path() {
        let catalog = seeded().await;
        catalog
            .create_folder(6, "ApiTestCo/SpinSets/".into())
            .await
            .expect("create");
        catalog
            .create_folder(6, "ApiTestCo/SpinSets/a b/".into())
            .await
            .expect("create nested");
        for (path, expected) in [
            ("ApiTestCo/missing/child/", "FolderNotFound"),
            ("OtherCo/new/", "FolderNotFound"),
            ("ApiTestCo/uploads/", "FolderExists"),
            ("ApiTestCo/", "FolderExists"),
        ] {
            let err = catalog.create_folder(6, path.into()).await.expect_err("refused");
            assert_eq!(format!("{err:?}"), expected, "{path}");
        }
        assert!(matches!(
            catalog.create_folder(99, "X/y/".into()).await,
            Err(Error::CompanyNotFound)
        ));
        let all = paths(&catalog, 6).await;
        assert!(all.contains(&"ApiTestCo/SpinSets/a b/".to_owned()));
        assert!(!all.iter().any(|p| p.contains("missing")));
        assert_eq!(paths(&catalog, 21).await, ["OtherCo/", "OtherCo/uploads/"]);
    }

    #[tokio::test]
    async fn delete_removes_the_subtree_and_its_assets_and_returns_their_blobs() {
        let catalog = seeded().await;
        let hashes = catalog
            .delete_folder(6, "ApiTestCo/uploads/".into())
            .await
            .expect("delete");
        assert_eq!(hashes, ["h-shared", "h-up"]);
        assert_eq!(
            paths(&catalog, 6).await,
            ["ApiTestCo/", "ApiTestCo/uploadsX/"],
            "the sibling uploadsX/ stays"
        );
        assert_eq!(paths(&catalog, 21).await, ["OtherCo/", "OtherCo/uploads/"]);
        for id in [2, 3, 4] {
            assert!(matches!(
                catalog
                    .asset(6, AssetHandle::parse(&format!("a|{id}")).expect("handle"))
                    .await,
                Err(Error::AssetNotFound)
            ));
        }
        for id in [1, 5] {
            catalog
                .asset(6, AssetHandle::parse(&format!("a|{id}")).expect("handle"))
                .await
                .expect("kept");
        }
        assert_eq!(
            catalog.referenced_blobs().await.expect("blobs"),
            ["h-root", "h-sibling"]
        );

        for (path, expected) in [
            ("ApiTestCo/", "RootFolder"),
            ("ApiTestCo/uploads/", "FolderNotFound"),
            ("OtherCo/uploads/", "FolderNotFound"),
        ] {
            let err = catalog.delete_folder(6, path.into()).await.expect_err("refused");
            assert_eq!(format!("{err:?}"), expected, "{path}");
        }
        assert_eq!(catalog.count_assets().await.expect("count"), 2);
    }

    #[tokio::test]
    async fn rename_rewrites_the_prefix_of_every_descendant_only() {
        let catalog = seeded().await;
        catalog
            .rename_folder(6, "ApiTestCo/uploads/".into(), "ApiTestCo/renamed/".into())
            .await
            .expect("rename");
        assert_eq!(
            paths(&catalog, 6).await,
            [
                "ApiTestCo/",
                "ApiTestCo/renamed/",
                "ApiTestCo/renamed/deep/",
                "ApiTestCo/renamed/deep/er/",
                "ApiTestCo/uploadsX/"
            ]
        );
        assert_eq!(paths(&catalog, 21).await, ["OtherCo/", "OtherCo/uploads/"]);
        let deeper = catalog
            .asset(6, AssetHandle::parse("a|3").expect("handle"))
            .await
            .expect("asset");
        assert_eq!(
            deeper.folder, "ApiTestCo/renamed/deep/er/",
            "assets follow their folder"
        );
        let sibling = catalog
            .asset(6, AssetHandle::parse("a|5").expect("handle"))
            .await
            .expect("asset");
        assert_eq!(sibling.folder, "ApiTestCo/uploadsX/");

        for (from, to, expected) in [
            ("ApiTestCo/renamed/", "ApiTestCo/uploadsX/", "FolderExists"),
            ("ApiTestCo/", "ApiTestCo2/", "RootFolder"),
            ("ApiTestCo/uploads/", "ApiTestCo/x/", "FolderNotFound"),
        ] {
            let err = catalog
                .rename_folder(6, from.into(), to.into())
                .await
                .expect_err("refused");
            assert_eq!(format!("{err:?}"), expected, "{from} → {to}");
        }
        catalog
            .rename_folder(6, "ApiTestCo/renamed/".into(), "ApiTestCo/renamed/".into())
            .await
            .expect("renaming to the same path changes nothing");
        assert_eq!(paths(&catalog, 6).await.len(), 5);
    }

    #[tokio::test]
    async fn concurrent_renames_and_creates_leave_a_consistent_tree() {
        let catalog = seeded().await;
        let mut tasks = Vec::new();
        for i in 0..20 {
            let c = catalog.clone();
            tasks.push(tokio::spawn(async move {
                if i % 2 == 0 {
                    c.rename_folder(6, "ApiTestCo/uploads/".into(), format!("ApiTestCo/u{i}/"))
                        .await
                        .is_ok()
                } else {
                    c.create_folder(6, format!("ApiTestCo/uploads/n{i}/")).await.is_ok()
                }
            }));
        }
        let mut renamed = 0;
        for (i, t) in tasks.into_iter().enumerate() {
            if t.await.expect("join") && i % 2 == 0 {
                renamed += 1;
            }
        }
        assert_eq!(renamed, 1, "exactly one rename finds uploads/");
        let all = paths(&catalog, 6).await;
        for p in &all {
            if let Some(parent) = parent(p) {
                if p != "ApiTestCo/" {
                    assert!(all.iter().any(|q| q == parent), "{p} lost its parent");
                }
            }
        }
    }
}
