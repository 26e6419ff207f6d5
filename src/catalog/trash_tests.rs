//! The trash on in-memory SQLite: what a trashed asset still holds (its
//! name, its bytes), what leaves it out (search, folders, publish, serving,
//! changes), and restoring and emptying it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::*;
use crate::catalog::{
    CopyAsset, PublishScope, SearchQuery, SeedAsset, SeedCompany, SeedData, SeedUser, SortField, TrashFilter,
};

fn image(id: i64, name: &str, hash: &str) -> SeedAsset {
    SeedAsset {
        id,
        image_id: id,
        company_id: 6,
        folder: "A/f/".into(),
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

async fn seeded() -> Catalog {
    let (catalog, _worker) = Catalog::open_in_memory().expect("open");
    let seed = SeedData {
        companies: vec![SeedCompany {
            id: 6,
            name: "A".into(),
            root_path: "A/".into(),
            expires: None,
            folders: vec!["A/f/".into()],
            metadata_fields: Vec::new(),
        }],
        users: vec![SeedUser {
            email: "u@ips.test".into(),
            password_hash: "$argon2id$fake".into(),
            user_type: "IpsUser".into(),
            first_name: String::new(),
            last_name: String::new(),
            companies: vec![6],
        }],
        // `one` and `shared` name the same bytes; `two` its own.
        assets: vec![image(1, "one", "h1"), image(2, "two", "h2"), image(3, "shared", "h1")],
        next_asset_id: Some(10),
        next_image_id: Some(10),
        kameleoon: Default::default(),
        sharinpix: Default::default(),
        property_sets: Default::default(),
    };
    catalog.apply_seed(seed).await.expect("seed");
    catalog
}

fn handle(id: i64) -> AssetHandle {
    AssetHandle::long(id, 1, id)
}

async fn search(catalog: &Catalog, trash: TrashFilter) -> Vec<String> {
    let query = SearchQuery {
        folder: "A/".into(),
        include_subfolders: true,
        conditions: vec![],
        match_all: true,
        tags: vec![],
        tags_match_all: true,
        metadata: vec![],
        metadata_match_all: true,
        keywords: vec![],
        groups_match_all: true,
        types: vec![],
        exclude_types: vec![],
        ready_for_publish: None,
        trash,
        sort: SortField::Name,
        descending: false,
        limit: 100,
        offset: 0,
    };
    let (total, page) = catalog.search_assets(6, query).await.expect("search");
    assert_eq!(total as usize, page.len());
    page.into_iter().map(|d| d.asset.name).collect()
}

/// Whether releasing `hash` now would remove the stored file.
async fn released(catalog: &Catalog, hash: &str) -> bool {
    let removed = Arc::new(AtomicBool::new(false));
    let flag = removed.clone();
    catalog
        .release_blob(hash.into(), move |_| flag.store(true, Ordering::SeqCst))
        .await
        .expect("release");
    removed.load(Ordering::SeqCst)
}

#[tokio::test]
async fn a_deleted_asset_is_in_the_trash_with_its_name_and_bytes() {
    let catalog = seeded().await;
    catalog.delete_asset(6, handle(2), 1).await.expect("delete");

    let details = catalog.asset_details(6, vec![handle(2)]).await.expect("details");
    assert!(details[0].asset.in_trash, "getAssets still finds it, in the trash");
    assert_eq!(details[0].modify_user, "u@ips.test", "trashing is a change by its user");
    assert_eq!(search(&catalog, TrashFilter::Live).await, ["one", "shared"]);
    assert_eq!(search(&catalog, TrashFilter::Trashed).await, ["two"]);
    assert_eq!(search(&catalog, TrashFilter::Any).await, ["one", "shared", "two"]);

    // The name stays taken, the bytes stay named.
    let copy = CopyAsset {
        company_id: 6,
        source: handle(1),
        folder: "A/".into(),
        name: "TWO".into(),
        actor_user_id: 1,
        content: None,
    };
    assert!(matches!(
        catalog.copy_asset(copy, |_| true).await,
        Err(Error::NameInUse)
    ));
    assert!(!released(&catalog, "h2").await);

    // Nothing but the trash operations changes it, nor copies from it.
    assert!(matches!(
        catalog.delete_asset(6, handle(2), 1).await,
        Err(Error::AssetInTrash)
    ));
    assert!(matches!(
        catalog.rename_asset(6, handle(2), "renamed".into(), 1).await,
        Err(Error::AssetInTrash)
    ));
    let moved = catalog
        .move_assets(6, vec![(handle(2), "A/".into()), (handle(1), "A/".into())], 1)
        .await
        .expect("move");
    assert!(matches!(moved[0], Err(Error::AssetInTrash)) && moved[1].is_ok());
    let copy = CopyAsset {
        company_id: 6,
        source: handle(2),
        folder: "A/".into(),
        name: "from-trash".into(),
        actor_user_id: 1,
        content: None,
    };
    assert!(matches!(
        catalog.copy_asset(copy, |_| true).await,
        Err(Error::AssetInTrash)
    ));
    assert!(matches!(catalog.asset(6, handle(2)).await, Err(Error::AssetInTrash)));
    assert!(catalog.asset_in_any_state(6, handle(2)).await.expect("found").in_trash);

    // Neither served nor published.
    assert!(catalog
        .asset_for_serving("A".into(), "two".into())
        .await
        .expect("lookup")
        .is_none());
    let published = catalog.publish(6, PublishScope::Full).await.expect("publish");
    let names: Vec<_> = published.published.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(names, ["one", "shared"]);
}

#[tokio::test]
async fn restore_brings_back_only_what_is_in_the_trash() {
    let catalog = seeded().await;
    let deleted = catalog
        .delete_assets(6, vec![handle(1), handle(99), handle(2)], 1)
        .await
        .expect("delete");
    assert!(deleted[0].is_ok() && matches!(deleted[1], Err(Error::AssetNotFound)) && deleted[2].is_ok());

    let restored = catalog
        .restore_assets(6, vec![handle(3), handle(1), handle(99), handle(1)], 1)
        .await
        .expect("restore");
    assert!(matches!(restored[0], Err(Error::AssetNotInTrash)), "a live asset");
    assert!(restored[1].is_ok());
    assert!(matches!(restored[2], Err(Error::AssetNotFound)));
    assert!(
        matches!(restored[3], Err(Error::AssetNotInTrash)),
        "restored a moment ago"
    );
    assert_eq!(search(&catalog, TrashFilter::Live).await, ["one", "shared"]);
    assert_eq!(search(&catalog, TrashFilter::Trashed).await, ["two"]);
    catalog
        .rename_asset(6, handle(1), "uno".into(), 1)
        .await
        .expect("a restored asset can be changed again");
}

#[tokio::test]
async fn emptying_removes_the_row_and_frees_bytes_no_row_names() {
    let catalog = seeded().await;
    catalog
        .delete_assets(6, vec![handle(1), handle(2)], 1)
        .await
        .expect("delete");
    let emptied = catalog
        .empty_trash(6, vec![handle(3), handle(1), handle(2), handle(2)])
        .await
        .expect("empty");
    assert!(matches!(emptied[0], Err(Error::AssetNotInTrash)), "a live asset stays");
    assert_eq!(emptied[1].as_ref().expect("emptied"), "h1");
    assert_eq!(emptied[2].as_ref().expect("emptied"), "h2");
    assert!(matches!(emptied[3], Err(Error::AssetNotFound)), "gone for good");
    assert_eq!(search(&catalog, TrashFilter::Any).await, ["shared"]);
    assert!(!released(&catalog, "h1").await, "`shared` still names h1");
    assert!(released(&catalog, "h2").await);
    // The name is free again.
    let copy = CopyAsset {
        company_id: 6,
        source: handle(3),
        folder: "A/".into(),
        name: "two".into(),
        actor_user_id: 1,
        content: None,
    };
    catalog.copy_asset(copy, |_| true).await.expect("copy");
}

#[tokio::test]
async fn folders_do_not_count_what_is_in_the_trash() {
    let catalog = seeded().await;
    let before = catalog.folder_subtree(6, "A/f/".into()).await.expect("folder");
    catalog
        .delete_assets(6, vec![handle(1), handle(2), handle(3)], 1)
        .await
        .expect("delete");
    let after = catalog.folder_subtree(6, "A/f/".into()).await.expect("folder");
    assert!(before[0].assets_modified.is_some());
    assert_eq!(after[0].assets_modified, None, "only trashed assets: no child change");
    // Deleting the folder empties its trashed assets with it.
    let released = catalog.delete_folder(6, "A/f/".into()).await.expect("delete folder");
    assert_eq!(released.len(), 2);
    assert!(search(&catalog, TrashFilter::Any).await.is_empty());
}
