//! The property set tables, on in-memory SQLite.

use super::{NewPropertySet, Owner, PropertySet, PropertySetSeed, PropertySetType};
use crate::catalog::{Catalog, Error, SeedCompany, SeedData, Worker};

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
}

fn ty(id: i64, company_id: Option<i64>, name: &str, allow_multiple: bool) -> PropertySetType {
    PropertySetType {
        id,
        company_id,
        name: name.into(),
        property_type: "CompanyProperty".into(),
        allow_multiple,
    }
}

async fn seeded() -> (Catalog, Worker) {
    let (catalog, worker) = Catalog::open_in_memory().expect("open");
    let seed = SeedData {
        companies: vec![SeedCompany {
            id: 6,
            name: "A".into(),
            root_path: "A/".into(),
            expires: None,
            folders: vec![],
            metadata_fields: vec![],
        }],
        property_sets: PropertySetSeed {
            types: vec![ty(1, None, "Global", false), ty(2, Some(6), "Saved", true)],
            sets: vec![PropertySet {
                id: 1,
                type_id: 1,
                primary: Owner::Company(6),
                secondary: None,
                properties: pairs(&[("a", "1")]),
            }],
        },
        ..SeedData::default()
    };
    catalog.apply_seed(seed).await.expect("seed");
    (catalog, worker)
}

fn new_set(type_id: i64, primary: Owner, properties: &[(&str, &str)]) -> NewPropertySet {
    NewPropertySet {
        type_id,
        primary,
        secondary: None,
        properties: pairs(properties),
    }
}

#[tokio::test]
async fn types_are_per_company_or_global() {
    let (catalog, _worker) = seeded().await;
    let global = catalog.property_set_types(None).await.expect("read");
    assert_eq!(global.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["Global"]);
    let own = catalog.property_set_types(Some(6)).await.expect("read");
    assert_eq!(own, vec![ty(2, Some(6), "Saved", true)]);
    let named = catalog
        .property_set_type_named(Some(6), "Global".into())
        .await
        .expect("read");
    assert_eq!(named, None, "a global type is not the company's");
    assert_eq!(catalog.property_set_type(2).await.expect("read").map(|t| t.id), Some(2));
}

#[tokio::test]
async fn a_set_of_a_single_set_type_replaces_the_owners_set() {
    let (catalog, _worker) = seeded().await;
    let id = catalog
        .create_property_set(new_set(1, Owner::Company(6), &[("b", "2")]))
        .await
        .expect("create");
    assert_eq!(id, 2);
    assert_eq!(catalog.property_set(1).await.expect("read"), None, "replaced");
    let sets = catalog.property_sets(1, Owner::Company(6), None).await.expect("read");
    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0].properties, pairs(&[("b", "2")]));
}

#[tokio::test]
async fn sets_of_a_multiple_set_type_accumulate_and_ids_are_not_reused() {
    let (catalog, _worker) = seeded().await;
    let user = Owner::User(3);
    let first = catalog
        .create_property_set(new_set(2, user, &[]))
        .await
        .expect("create");
    let second = catalog
        .create_property_set(new_set(2, user, &[]))
        .await
        .expect("create");
    assert_eq!((first, second), (2, 3));
    assert!(catalog.delete_property_set(second).await.expect("delete"));
    let third = catalog
        .create_property_set(new_set(2, user, &[]))
        .await
        .expect("create");
    assert_eq!(third, 4, "the counter does not hand out a deleted set's id");
    let ids: Vec<i64> = catalog
        .property_sets(2, user, None)
        .await
        .expect("read")
        .iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(ids, [2, 4]);
    assert!(catalog
        .property_sets(2, user, Some(Owner::Company(6)))
        .await
        .expect("read")
        .is_empty());
}

#[tokio::test]
async fn updates_merge_or_replace_and_deleting_takes_the_properties() {
    let (catalog, _worker) = seeded().await;
    let merged = pairs(&[("a", "9"), ("c", "3")]);
    assert!(catalog.update_property_set(1, merged, false).await.expect("merge"));
    let set = catalog.property_set(1).await.expect("read").expect("the set");
    assert_eq!(set.properties, pairs(&[("a", "9"), ("c", "3")]));
    assert!(catalog
        .update_property_set(1, pairs(&[("z", "0")]), true)
        .await
        .expect("replace"));
    let set = catalog.property_set(1).await.expect("read").expect("the set");
    assert_eq!(set.properties, pairs(&[("z", "0")]));
    assert!(!catalog.update_property_set(99, vec![], true).await.expect("unknown"));
    assert!(catalog.delete_property_set(1).await.expect("delete"));
    assert!(!catalog.delete_property_set(1).await.expect("again"));
}

#[tokio::test]
async fn a_set_for_a_missing_company_is_refused() {
    let (catalog, _worker) = seeded().await;
    let refused = catalog.create_property_set(new_set(2, Owner::Company(99), &[])).await;
    assert!(matches!(refused, Err(Error::CompanyNotFound)));
    assert_eq!(catalog.property_set(2).await.expect("read"), None);
}
