//! Sets and derived assets on in-memory SQLite: members kept in order and
//! checked, a refused change leaving nothing, and membership rows and
//! derived assets going with an asset removed for good.

use super::*;
use crate::catalog::{SeedAsset, SeedCompany, SeedData, SeedUser};

fn image(id: i64, company_id: i64, folder: &str, name: &str) -> SeedAsset {
    SeedAsset {
        id,
        image_id: id,
        company_id,
        folder: folder.into(),
        name: name.into(),
        width: 4,
        height: 2,
        format: "png".into(),
        byte_size: 1,
        content_hash: format!("h{id}"),
        url_modifier: String::new(),
        url_post_modifier: String::new(),
    }
}

fn company(id: i64, name: &str, folders: Vec<String>) -> SeedCompany {
    SeedCompany {
        id,
        name: name.into(),
        root_path: format!("{name}/"),
        expires: None,
        folders,
        metadata_fields: Vec::new(),
    }
}

async fn seeded() -> Catalog {
    let (catalog, _worker) = Catalog::open_in_memory().expect("open");
    let seed = SeedData {
        companies: vec![company(6, "A", vec!["A/f/".into()]), company(7, "B", vec![])],
        users: vec![SeedUser {
            email: "u@ips.test".into(),
            password_hash: "$argon2id$fake".into(),
            user_type: "IpsUser".into(),
            first_name: String::new(),
            last_name: String::new(),
            companies: vec![6],
        }],
        assets: vec![
            image(1, 6, "A/f/", "one"),
            image(2, 6, "A/", "two"),
            image(3, 7, "B/", "foreign"),
        ],
        next_asset_id: Some(10),
        next_image_id: Some(20),
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

fn image_set(name: &str, members: Vec<AssetHandle>) -> NewSet {
    NewSet {
        company_id: 6,
        folder: "A/".into(),
        name: name.into(),
        asset_type: "ImageSet".into(),
        type_code: 22,
        change: SetChange {
            members: Some(members),
            member_types: &["Image"],
            ..SetChange::default()
        },
        actor: 1,
    }
}

fn ids(details: &[AssetDetail]) -> Vec<i64> {
    details.iter().map(|d| d.asset.id).collect()
}

#[tokio::test]
async fn a_set_keeps_its_members_in_order_and_takes_only_an_asset_id() {
    let catalog = seeded().await;
    let set = catalog
        .create_set(image_set("s", vec![handle(2), handle(1)]))
        .await
        .expect("set");
    assert_eq!(set.handle().to_string(), "a|10|22|10");
    let members = catalog
        .set_members(6, set.handle(), &["ImageSet"], "an ImageSet")
        .await
        .expect("members");
    assert_eq!(ids(&members), [2, 1]);
    let next = catalog.create_set(image_set("t", vec![])).await.expect("set");
    assert_eq!(next.handle().to_string(), "a|11|22|11");
    let of_one = catalog.associated(6, handle(1)).await.expect("associated");
    assert_eq!(ids(&of_one.containers), [10]);
}

#[tokio::test]
async fn a_refused_member_leaves_no_set_and_takes_no_handle() {
    let catalog = seeded().await;
    for (member, problem) in [
        (handle(3), RelatedProblem::NotFound),
        (handle(99), RelatedProblem::NotFound),
    ] {
        let err = catalog
            .create_set(image_set("s", vec![handle(1), member]))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::Related(r) if r.problem == problem && r.handle == member),
            "{err:?}"
        );
    }
    let set = catalog.create_set(image_set("s", vec![])).await.expect("set");
    assert_eq!(set.id, 10, "no id was taken by the refused ones");
    let err = catalog
        .update_set(
            6,
            set.handle(),
            &["ImageSet"],
            "an ImageSet",
            SetChange {
                members: Some(vec![set.handle()]),
                member_types: &["Image"],
                ..SetChange::default()
            },
            1,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Related(Related { problem: RelatedProblem::WrongType(ref t), .. }) if t == "ImageSet")
    );
    let clash = catalog.create_set(image_set("ONE", vec![])).await.unwrap_err();
    assert!(matches!(clash, Error::NameInUse));
}

#[tokio::test]
async fn members_and_derived_assets_go_with_an_asset_removed_for_good() {
    let catalog = seeded().await;
    let set = catalog
        .create_set(image_set("s", vec![handle(1), handle(2)]))
        .await
        .expect("set");
    let derived = catalog
        .create_derived(NewDerived {
            company_id: 6,
            owner: handle(1),
            folder: "A/".into(),
            name: "view".into(),
            asset_type: "AdjustedView".into(),
            type_code: 10,
            url_modifier: "crop=0,0,2,2".into(),
            url_post_modifier: String::new(),
            actor: 1,
        })
        .await
        .expect("derived");
    assert_eq!(derived.content_hash, "h1", "it shares its owner's bytes");
    assert_eq!(derived.url_modifier, "crop=0,0,2,2");
    let of_one = catalog.associated(6, handle(1)).await.expect("associated");
    assert_eq!(ids(&of_one.derived), [derived.id]);
    // Trashed, a member stays in its set; emptied, it leaves it.
    catalog.delete_asset(6, handle(1), 1).await.expect("trash");
    assert_eq!(
        ids(&catalog
            .set_members(6, set.handle(), &["ImageSet"], "")
            .await
            .expect("m")),
        [1, 2]
    );
    let emptied = catalog.empty_trash(6, vec![handle(1)]).await.expect("empty");
    assert!(emptied[0].is_ok());
    assert_eq!(
        ids(&catalog
            .set_members(6, set.handle(), &["ImageSet"], "")
            .await
            .expect("m")),
        [2]
    );
    let gone = catalog.associated(6, derived.handle()).await.unwrap_err();
    assert!(
        matches!(gone, Error::AssetNotFound),
        "the derived asset went with its owner"
    );
    // A member whose folder is deleted leaves the set too.
    let in_folder = catalog
        .create_derived(NewDerived {
            company_id: 6,
            owner: handle(2),
            folder: "A/f/".into(),
            name: "kept".into(),
            asset_type: "LayerView".into(),
            type_code: 11,
            url_modifier: String::new(),
            url_post_modifier: String::new(),
            actor: 1,
        })
        .await
        .expect("derived");
    catalog
        .update_set(
            6,
            set.handle(),
            &["ImageSet"],
            "",
            SetChange {
                members: Some(vec![handle(2), in_folder.handle()]),
                member_types: &["Image", "LayerView"],
                ..SetChange::default()
            },
            1,
        )
        .await
        .expect("update");
    catalog.delete_folder(6, "A/f/".into()).await.expect("delete folder");
    assert_eq!(
        ids(&catalog
            .set_members(6, set.handle(), &["ImageSet"], "")
            .await
            .expect("m")),
        [2]
    );
}
