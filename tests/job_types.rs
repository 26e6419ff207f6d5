//! The job types, against Adobe's: every type the job declarations reach
//! (results, job kinds, options and the arrays they hold) has, in
//! 2013-02-15 and 2014-04-03, exactly the fields of the type of the same
//! name in Adobe's WSDL, by name, type, occurrence and order; the job kind
//! runs are the ends of Adobe's `submitJobParam` and `ActiveJob`; and no
//! version of any of them names a field twice.
//!
//! No operation reaches these types yet, so `versions.rs`, which compares
//! what the served contract reaches, does not see them.

use std::collections::BTreeMap;

use ips_emulator::ips::contract::{Field, Occurs, Ty, Type, Version};
use ips_emulator::ips::types::{self, job_options, job_specs};

use crate::support;
use crate::support::digest::{self, Digest, Shape};

/// The two versions Adobe's WSDLs are known for.
const ADOBE_VERSIONS: [Version; 2] = [Version::V2013_02_15, Version::V2014_04_03];

/// The job types, from which every other type they use is reached.
fn roots() -> Vec<&'static Type> {
    vec![
        &types::ACTIVE_JOB_ARRAY,
        &types::SCHEDULED_JOB_ARRAY,
        &types::JOB_LOG_ARRAY,
        &types::ASSET_JOB_LOG_ARRAY,
        &types::UPLOAD_POST_JOB,
        &types::RIP_PDFS_JOB,
        &types::EXPORT_JOB,
        &types::AUTOMATED_SET_GENERATION_JOB,
        &job_options::PHOTOSHOP_LAYER_OPTIONS,
    ]
}

fn adobe_digest(version: Version) -> Digest {
    let path = support::root()
        .join("tests/adobe")
        .join(format!("IpsApi-{}.digest", version.label()));
    Digest::from_text(&String::from_utf8(support::read(&path)).expect("utf-8"))
}

/// A field as Adobe's digest writes it.
fn digest_field(f: &Field) -> digest::Field {
    let ty = match f.ty {
        Ty::String => "xsd:string".to_owned(),
        Ty::Int => "xsd:int".to_owned(),
        Ty::Long => "xsd:long".to_owned(),
        Ty::Boolean => "xsd:boolean".to_owned(),
        Ty::Double => "xsd:double".to_owned(),
        Ty::DateTime => "xsd:dateTime".to_owned(),
        Ty::Complex(t) => t.name.to_owned(),
    };
    let (min, max) = match f.occurs {
        Occurs::Required => ("1".to_owned(), "1".to_owned()),
        Occurs::Optional => ("0".to_owned(), "1".to_owned()),
        Occurs::Many => ("0".to_owned(), "unbounded".to_owned()),
        Occurs::Between(min, max) => (min.to_string(), max.to_string()),
    };
    digest::Field {
        name: f.name.to_owned(),
        ty,
        min,
        max,
    }
}

fn digest_fields<'a>(fields: impl Iterator<Item = &'a Field>) -> Vec<digest::Field> {
    fields.map(digest_field).collect()
}

/// `version`'s shape of `t`.
fn shape(t: &Type, version: Version) -> Shape {
    Shape {
        group: "sequence".to_owned(),
        any_attribute: false,
        fields: digest_fields(t.fields_in(version)),
    }
}

/// Every type `roots` reach in `version`, by name.
fn reached(roots: &[&'static Type], version: Version) -> BTreeMap<&'static str, &'static Type> {
    let mut out = BTreeMap::new();
    let mut pending = roots.to_vec();
    while let Some(t) = pending.pop() {
        if out.insert(t.name, t).is_none() {
            pending.extend(t.fields_in(version).filter_map(|f| f.ty.complex()));
        }
    }
    out
}

#[test]
fn job_types_are_adobes_in_2013_and_2014() {
    for version in ADOBE_VERSIONS {
        let adobe = adobe_digest(version);
        let ours = reached(&roots(), version);
        // 16 result types, 16 job kinds and their parts, 16 option types
        // and `HandleArray`.
        assert_eq!(ours.len(), 49, "{version:?}: job types reached: {:?}", ours.keys());
        for (name, t) in &ours {
            let theirs = adobe
                .types
                .get(*name)
                .unwrap_or_else(|| panic!("{version:?}: Adobe's WSDL has no type {name}"));
            assert_eq!(&shape(t, version), theirs, "{version:?} type {name}");
        }
    }
}

/// The kind runs end the elements and types that list the job kinds.
#[test]
fn job_kind_runs_end_submit_job_and_active_job() {
    for version in ADOBE_VERSIONS {
        let adobe = adobe_digest(version);
        let ends_with = |theirs: &[digest::Field], ours: &'static [Field], what: &str| {
            let ours = digest_fields(ours.iter().filter(|f| f.in_version(version)));
            assert!(ours.len() >= 13, "{version:?}: {what}: only {} kinds", ours.len());
            let tail = &theirs[theirs.len().saturating_sub(ours.len())..];
            assert_eq!(tail, ours.as_slice(), "{version:?}: the job kinds of {what}");
        };
        let submit = adobe
            .elements
            .get(&(version.label().to_owned(), "submitJobParam".to_owned()))
            .expect("submitJobParam");
        ends_with(&submit.fields, job_specs::JOB_KIND_FIELDS, "submitJobParam");
        ends_with(
            &adobe.types["ScheduledJob"].fields,
            job_specs::JOB_KIND_FIELDS,
            "ScheduledJob",
        );
        ends_with(
            &adobe.types["ActiveJob"].fields,
            job_specs::ACTIVE_JOB_KIND_FIELDS,
            "ActiveJob",
        );
    }
}

/// Every version's shape of every job type names each field once: a
/// field replaced in some version ends where its successor begins.
#[test]
fn no_version_of_a_job_type_names_a_field_twice() {
    for version in Version::ALL {
        for (name, t) in reached(&roots(), version) {
            let mut seen = std::collections::BTreeSet::new();
            for f in t.fields_in(version) {
                assert!(seen.insert(f.name), "{version:?}: {name} has {} twice", f.name);
            }
        }
    }
}
