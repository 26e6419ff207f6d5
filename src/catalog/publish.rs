//! Assets' publish state: whether each is marked for publish
//! (`ready_for_publish`), when a publish last put it on the Image Server
//! (`published_at`), and the two changes to them — marking assets, and
//! publishing a company's marked assets.
//!
//! An asset is "published in its current state" when `published_at` is set
//! and no later than `modified_at`, which every change to the asset (bytes,
//! name, folder, stored modifiers, publish mark) moves forward. Both are the
//! catalog's millisecond timestamps; a publish does not finish before the
//! clock has moved past the millisecond it stamped, so a change made after
//! it (on the same worker, one job after another) always compares later.

use std::time::{Duration, SystemTime};

use super::db::Conn;
use rusqlite::{params, OptionalExtension};

use super::assets::each_item;
use super::queries::{asset, asset_from_row, company_exists, has_column, timestamp};
use super::{Catalog, Error};
use crate::handles::AssetHandle;

/// Which of a company's assets a publish puts on the Image Server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PublishScope {
    /// Every asset marked for publish (`ImageServingPublishJob` `Full`, and
    /// `FullWithSearch`, whose search index the emulator does not keep).
    Full,
    /// The assets marked for publish that were never published or changed
    /// since their last publish (`Incremental`).
    Incremental,
}

/// What a publish did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublishOutcome {
    /// The assets published, as `(long handle, name)`, in the order they
    /// were added to the catalog.
    pub published: Vec<(AssetHandle, String)>,
    /// Assets the scope would have published but that are not marked for
    /// publish.
    pub skipped_not_ready: u64,
    /// The time stamped on every asset published (`published_at`).
    pub published_at: String,
}

/// Longest a publish waits for the clock to leave the millisecond it
/// stamped (a clock set back would otherwise hold the worker).
const MAX_TICK_WAIT: Duration = Duration::from_millis(5);

/// Adds the publish columns to a catalog written before they existed. A
/// column cannot be added idempotently in `schema.sql`, so new catalogs get
/// them here too. Existing assets are marked for publish, as every asset
/// was reported before.
pub(super) fn migrate(conn: &Conn) -> Result<(), Error> {
    let columns = [
        ("assets", "ready_for_publish", "INTEGER NOT NULL DEFAULT 1"),
        ("assets", "published_at", "TEXT"),
    ];
    for (table, column, definition) in columns {
        if !has_column(conn, table, column)? {
            conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {definition}"))?;
        }
    }
    Ok(())
}

/// Marks one asset (`ready`) or unmarks it. A change of mark is a change to
/// the asset (its `modified_at` and `modified_by` move), so an incremental
/// publish takes it up; setting the mark it already has changes nothing.
fn set_one(conn: &Conn, company_id: i64, handle: AssetHandle, ready: bool, actor: i64) -> Result<(), Error> {
    let found = asset(conn, company_id, handle)?;
    conn.prepare_cached(
        "UPDATE assets SET ready_for_publish = ?2, modified_at = ?3, modified_by = ?4
         WHERE id = ?1 AND ready_for_publish <> ?2",
    )?
    .execute(params![found.id, ready, timestamp(SystemTime::now()), actor])?;
    Ok(())
}

/// One asset as a publish sees it.
struct Candidate {
    handle: AssetHandle,
    name: String,
    ready: bool,
    /// Never published, or changed since its last publish.
    stale: bool,
}

/// The company's assets a publish considers: those not in the trash.
fn candidates(conn: &Conn, company_id: i64) -> Result<Vec<Candidate>, Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, type_code, type_record_id, name, ready_for_publish,
                published_at IS NULL OR modified_at > published_at
         FROM assets WHERE company_id = ?1 AND trashed_at IS NULL ORDER BY id",
    )?;
    let rows = stmt.query_map([company_id], |r| {
        Ok(Candidate {
            handle: AssetHandle::long(r.get(0)?, r.get(1)?, r.get(2)?),
            name: r.get(3)?,
            ready: r.get(4)?,
            stale: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn publish(conn: &Conn, company_id: i64, scope: PublishScope) -> Result<PublishOutcome, Error> {
    if !company_exists(conn, company_id)? {
        return Err(Error::CompanyNotFound);
    }
    let now = timestamp(SystemTime::now());
    let mut outcome = PublishOutcome {
        published: Vec::new(),
        skipped_not_ready: 0,
        published_at: now.clone(),
    };
    let mut stamp = conn.prepare_cached("UPDATE assets SET published_at = ?2 WHERE id = ?1")?;
    for c in candidates(conn, company_id)? {
        let wanted = match scope {
            PublishScope::Full => true,
            PublishScope::Incremental => c.stale,
        };
        if !wanted {
            continue;
        }
        if !c.ready {
            outcome.skipped_not_ready += 1;
            continue;
        }
        stamp.execute(params![c.handle.id, now])?;
        outcome.published.push((c.handle, c.name));
    }
    wait_for_next_tick(&now);
    Ok(outcome)
}

/// Returns once the catalog's clock reads later than `stamped`, so that
/// every change stamped after this returns compares later than the
/// publish (or after `MAX_TICK_WAIT`, should the clock have been set back).
fn wait_for_next_tick(stamped: &str) {
    let started = std::time::Instant::now();
    while timestamp(SystemTime::now()).as_str() <= stamped && started.elapsed() < MAX_TICK_WAIT {
        std::thread::sleep(Duration::from_micros(100));
    }
}

/// Publish state: marking assets, and publishing a company's marked ones.
impl Catalog {
    /// Marks (`true`) or unmarks each asset for publish, each on its own:
    /// an asset not found in the company is reported and the others still
    /// change. A company that does not exist fails the whole call.
    pub async fn set_publish_state(
        &self,
        company_id: i64,
        updates: Vec<(AssetHandle, bool)>,
        actor: i64,
    ) -> Result<Vec<Result<(), Error>>, Error> {
        self.call(move |t| {
            if !company_exists(t.conn, company_id)? {
                return Err(Error::CompanyNotFound);
            }
            each_item(t.conn, updates, |conn, (handle, ready)| {
                set_one(conn, company_id, handle, ready, actor)
            })
        })
        .await
    }

    /// Publishes the company's assets that `scope` takes and that are
    /// marked for publish: each gets the same `published_at`, now. Assets
    /// not marked are left as they are (one published before stays so).
    pub async fn publish(&self, company_id: i64, scope: PublishScope) -> Result<PublishOutcome, Error> {
        self.call(move |t| publish(t.conn, company_id, scope)).await
    }

    /// The asset `/is/image/<company>/<name>` names (both exact, as Image
    /// Serving URLs are case-sensitive) and whether it has been published;
    /// one in the trash is not served.
    pub async fn asset_for_serving(
        &self,
        company: String,
        name: String,
    ) -> Result<Option<(super::Asset, bool)>, Error> {
        const SQL: &str = concat!(
            "SELECT ",
            asset_columns!(),
            ", a.published_at IS NOT NULL
             FROM assets a JOIN folders f ON f.id = a.folder_id JOIN companies c ON c.id = a.company_id
             WHERE c.name = ?1 AND a.name = ?2 AND a.trashed_at IS NULL"
        );
        self.call_single_statement(move |t| {
            Ok(t.conn
                .prepare_cached(SQL)?
                .query_row(params![company, name], |r| Ok((asset_from_row(r)?, r.get(15)?)))
                .optional()?)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{CopyAsset, SeedAsset, SeedCompany, SeedData, SeedUser};

    fn image(id: i64, company_id: i64, folder: &str, name: &str) -> SeedAsset {
        SeedAsset {
            id,
            image_id: id,
            company_id,
            folder: folder.into(),
            name: name.into(),
            width: 1,
            height: 1,
            format: "png".into(),
            byte_size: 1,
            content_hash: format!("h{id}"),
            url_modifier: String::new(),
            url_post_modifier: String::new(),
        }
    }

    fn seed() -> SeedData {
        SeedData {
            companies: vec![
                SeedCompany {
                    id: 6,
                    name: "A".into(),
                    root_path: "A/".into(),
                    expires: None,
                    folders: vec![],
                    metadata_fields: Vec::new(),
                },
                SeedCompany {
                    id: 21,
                    name: "B".into(),
                    root_path: "B/".into(),
                    expires: None,
                    folders: vec![],
                    metadata_fields: Vec::new(),
                },
            ],
            users: vec![SeedUser {
                email: "u@ips.test".into(),
                password_hash: "$argon2id$fake".into(),
                user_type: "IpsUser".into(),
                first_name: String::new(),
                last_name: String::new(),
                companies: vec![6],
            }],
            assets: vec![
                image(1, 6, "A/", "one"),
                image(2, 6, "A/", "two"),
                image(3, 6, "A/", "three"),
                image(4, 21, "B/", "other"),
            ],
            next_asset_id: None,
            next_image_id: None,
            kameleoon: Default::default(),
            sharinpix: Default::default(),
            property_sets: Default::default(),
        }
    }

    async fn seeded() -> Catalog {
        let (catalog, _worker) = Catalog::open_in_memory().expect("open");
        catalog.apply_seed(seed()).await.expect("seed");
        catalog
    }

    fn names(outcome: &PublishOutcome) -> Vec<&str> {
        outcome.published.iter().map(|(_, n)| n.as_str()).collect()
    }

    fn handle(id: i64) -> AssetHandle {
        AssetHandle::long(id, 1, id)
    }

    /// Whether a publish has reached the asset `name` of `company`.
    async fn published(catalog: &Catalog, company: &str, name: &str) -> bool {
        let (_, published) = catalog
            .asset_for_serving(company.into(), name.into())
            .await
            .expect("lookup")
            .expect("found");
        published
    }

    async fn ready(catalog: &Catalog, id: i64) -> bool {
        catalog
            .asset_details(6, vec![handle(id)])
            .await
            .expect("details")
            .first()
            .expect("found")
            .ready_for_publish
    }

    #[tokio::test]
    async fn seeded_assets_are_marked_and_unpublished() {
        let catalog = seeded().await;
        assert!(ready(&catalog, 1).await);
        let (asset, published) = catalog
            .asset_for_serving("A".into(), "one".into())
            .await
            .expect("lookup")
            .expect("found");
        assert_eq!((asset.id, published), (1, false));
        assert!(catalog
            .asset_for_serving("A".into(), "other".into())
            .await
            .expect("lookup")
            .is_none());
    }

    #[tokio::test]
    async fn full_publishes_every_marked_asset_and_incremental_only_what_changed() {
        let catalog = seeded().await;
        let results = catalog
            .set_publish_state(6, vec![(handle(3), false)], 1)
            .await
            .expect("set");
        assert!(results.iter().all(Result::is_ok));
        assert!(!ready(&catalog, 3).await);

        let full = catalog.publish(6, PublishScope::Full).await.expect("publish");
        assert_eq!(names(&full), ["one", "two"]);
        assert_eq!(full.published[0].0.to_string(), "a|1|1|1");
        assert_eq!(full.skipped_not_ready, 1);
        assert!(published(&catalog, "A", "one").await);

        // Nothing changed since: an incremental publish has nothing to do,
        // apart from the one asset never published and still not marked.
        let nothing = catalog.publish(6, PublishScope::Incremental).await.expect("publish");
        assert_eq!((names(&nothing).len(), nothing.skipped_not_ready), (0, 1));

        // A change to a published asset, and marking the held-back one.
        catalog
            .rename_asset(6, handle(2), "two-renamed".into(), 1)
            .await
            .expect("rename");
        catalog
            .set_publish_state(6, vec![(handle(3), true)], 1)
            .await
            .expect("set");
        let incremental = catalog.publish(6, PublishScope::Incremental).await.expect("publish");
        assert_eq!(names(&incremental), ["two-renamed", "three"]);
        assert_eq!(incremental.skipped_not_ready, 0);
        assert!(incremental.published_at > full.published_at);

        // A full publish takes every marked asset again, changed or not;
        // the other company's asset is never touched.
        let again = catalog.publish(6, PublishScope::Full).await.expect("publish");
        assert_eq!(names(&again), ["one", "two-renamed", "three"]);
        assert!(!published(&catalog, "B", "other").await);
    }

    #[tokio::test]
    async fn setting_the_mark_it_has_is_no_change() {
        let catalog = seeded().await;
        catalog.publish(6, PublishScope::Full).await.expect("publish");
        catalog
            .set_publish_state(6, vec![(handle(1), true)], 1)
            .await
            .expect("set");
        let incremental = catalog.publish(6, PublishScope::Incremental).await.expect("publish");
        assert!(incremental.published.is_empty(), "{incremental:?}");
        // Unmarking is a change; the asset stays published but is skipped.
        catalog
            .set_publish_state(6, vec![(handle(1), false)], 1)
            .await
            .expect("set");
        let incremental = catalog.publish(6, PublishScope::Incremental).await.expect("publish");
        assert_eq!((incremental.published.len(), incremental.skipped_not_ready), (0, 1));
        assert!(
            published(&catalog, "A", "one").await,
            "unmarking does not withdraw a published asset"
        );
    }

    #[tokio::test]
    async fn each_update_stands_alone_and_a_missing_company_fails_the_call() {
        let catalog = seeded().await;
        let results = catalog
            .set_publish_state(
                6,
                vec![
                    (handle(1), false),
                    (handle(4), false),
                    (AssetHandle::long(2, 1, 99), false),
                    (handle(2), false),
                ],
                1,
            )
            .await
            .expect("set");
        let failed: Vec<bool> = results.iter().map(Result::is_err).collect();
        assert_eq!(failed, [false, true, true, false]);
        assert!(matches!(results[1], Err(Error::AssetNotFound)));
        assert!(!ready(&catalog, 1).await && !ready(&catalog, 2).await);
        assert!(matches!(
            catalog.set_publish_state(99, vec![(handle(1), true)], 1).await,
            Err(Error::CompanyNotFound)
        ));
        assert!(matches!(
            catalog.publish(99, PublishScope::Full).await,
            Err(Error::CompanyNotFound)
        ));
    }

    #[tokio::test]
    async fn a_copy_takes_its_sources_mark_and_starts_unpublished() {
        let catalog = seeded().await;
        catalog.publish(6, PublishScope::Full).await.expect("publish");
        catalog
            .set_publish_state(6, vec![(handle(2), false)], 1)
            .await
            .expect("set");
        for (source, name, marked) in [(1, "copy-one", true), (2, "copy-two", false)] {
            let copy = catalog
                .copy_asset(
                    CopyAsset {
                        company_id: 6,
                        source: handle(source),
                        folder: "A/".into(),
                        name: name.into(),
                        actor_user_id: 1,
                        content: None,
                    },
                    |_| true,
                )
                .await
                .expect("copy");
            assert_eq!(ready(&catalog, copy.id).await, marked, "{name}");
            assert!(!published(&catalog, "A", name).await, "{name}");
        }
        let incremental = catalog.publish(6, PublishScope::Incremental).await.expect("publish");
        assert_eq!(names(&incremental), ["copy-one"]);
        assert_eq!(incremental.skipped_not_ready, 2, "two and copy-two");
    }

    #[tokio::test]
    async fn a_reset_restores_the_seeds_state() {
        let catalog = seeded().await;
        catalog
            .set_publish_state(6, vec![(handle(1), false)], 1)
            .await
            .expect("set");
        catalog.publish(6, PublishScope::Full).await.expect("publish");
        catalog.reset(seed()).await.expect("reset");
        assert!(ready(&catalog, 1).await);
        assert!(!published(&catalog, "A", "two").await);
    }

    #[test]
    fn an_older_catalog_gains_the_columns_with_every_asset_marked() {
        let conn = Conn::Lite(rusqlite::Connection::open_in_memory().expect("open"));
        conn.execute_batch(
            "CREATE TABLE assets (id INTEGER PRIMARY KEY, name TEXT);
             INSERT INTO assets (id, name) VALUES (1, 'old');",
        )
        .expect("old schema");
        migrate(&conn).expect("migrate");
        migrate(&conn).expect("migrating twice changes nothing");
        let (ready, published): (bool, Option<String>) = conn
            .query_row("SELECT ready_for_publish, published_at FROM assets", (), |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .expect("row");
        assert_eq!((ready, published), (true, None));
    }
}
