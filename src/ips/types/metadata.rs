//! Metadata: fields, value updates and deletions, the per-item faults of a
//! batch, value counts, and the asset summaries `searchAssetsByMetadata`
//! answers with.
//!
//! Versions: the pre-4.0 contract has `MetadataField` without `isHidden` or
//! `isEnforced` and `MetadataUpdate` with `value` only; 4.0 (2008-01-15)
//! added typed values ("get/set support for strongly typed metadata
//! fields"); 4.5 (2010-01-31) added tags, `isHidden`, `initialTagValue`
//! and the summaries. `isEnforced` is in no change log; Adobe's 2013-02-15
//! WSDL lacks it and the 2014-04-03 one has it.

use crate::ips::contract::prelude::*;

use super::asset::METADATA_ARRAY;
use super::common::{HANDLE_ARRAY, STRING_ARRAY};

/// `MetadataField`.
pub static METADATA_FIELD: Type = Type::new(
    "MetadataField",
    &[
        req("fieldHandle", STRING),
        req("name", STRING),
        req("type", STRING),
        req("defaultValue", STRING),
        req("isRequired", BOOLEAN),
        req("isUserDefined", BOOLEAN),
        req("isHidden", BOOLEAN).since(V2010_01_31),
        req("isEnforced", BOOLEAN).since(V2014_04_03),
        opt("initialTagValue", STRING).since(V2010_01_31),
    ],
);

/// `MetadataFieldArray`.
pub static METADATA_FIELD_ARRAY: Type = Type::new("MetadataFieldArray", &[many("items", of(&METADATA_FIELD))]);

/// `MetadataUpdate`.
pub static METADATA_UPDATE: Type = Type::new(
    "MetadataUpdate",
    &[
        req("fieldHandle", STRING),
        req("value", STRING).until(V2008_01_15),
        opt("value", STRING).since(V2008_01_15),
        opt("boolVal", BOOLEAN).since(V2008_01_15),
        opt("longVal", LONG).since(V2008_01_15),
        opt("doubleVal", DOUBLE).since(V2008_01_15),
        opt("dateVal", DATE_TIME).since(V2008_01_15),
        opt("addTagValueArray", of(&STRING_ARRAY)).since(V2010_01_31),
        opt("setTagValueArray", of(&STRING_ARRAY)).since(V2010_01_31),
        opt("deleteTagValueArray", of(&STRING_ARRAY)).since(V2010_01_31),
    ],
);

/// `MetadataUpdateArray`.
pub static METADATA_UPDATE_ARRAY: Type = Type::new("MetadataUpdateArray", &[many("items", of(&METADATA_UPDATE))]);

/// `BatchMetadataUpdate`.
pub static BATCH_METADATA_UPDATE: Type = Type::new(
    "BatchMetadataUpdate",
    &[
        req("assetHandleArray", of(&HANDLE_ARRAY)),
        req("updateArray", of(&METADATA_UPDATE_ARRAY)),
    ],
);

/// `BatchMetadataUpdateArray`.
pub static BATCH_METADATA_UPDATE_ARRAY: Type =
    Type::new("BatchMetadataUpdateArray", &[many("items", of(&BATCH_METADATA_UPDATE))]);

/// `SetMetadataFault`.
pub static SET_METADATA_FAULT: Type = Type::new(
    "SetMetadataFault",
    &[
        req("assetHandle", STRING),
        req("fieldHandle", STRING),
        req("code", INT),
        req("reason", STRING),
    ],
);

/// `SetMetadataFaultArray`.
pub static SET_METADATA_FAULT_ARRAY: Type =
    Type::new("SetMetadataFaultArray", &[many("items", of(&SET_METADATA_FAULT))]);

/// `MetadataDelete`.
pub static METADATA_DELETE: Type = Type::new("MetadataDelete", &[req("fieldHandle", STRING)]);

/// `MetadataDeleteArray`.
pub static METADATA_DELETE_ARRAY: Type = Type::new("MetadataDeleteArray", &[many("items", of(&METADATA_DELETE))]);

/// `AssetMetadataFields` (4.4): one asset type's fields.
pub static ASSET_METADATA_FIELDS: Type = Type::new(
    "AssetMetadataFields",
    &[req("assetType", STRING), req("fieldArray", of(&METADATA_FIELD_ARRAY))],
);

/// `AssetMetadataFieldsArray`.
pub static ASSET_METADATA_FIELDS_ARRAY: Type =
    Type::new("AssetMetadataFieldsArray", &[many("items", of(&ASSET_METADATA_FIELDS))]);

/// `ValueCount`.
pub static VALUE_COUNT: Type = Type::new("ValueCount", &[req("value", STRING), opt("count", INT)]);

/// `ValueCountArray`.
pub static VALUE_COUNT_ARRAY: Type = Type::new("ValueCountArray", &[many("items", of(&VALUE_COUNT))]);

/// `AssetSummary` (4.5). Its `type` and `name` were required until 6.0
/// made them optional; the emulator always sends both.
pub static ASSET_SUMMARY: Type = Type::new(
    "AssetSummary",
    &[
        req("assetHandle", STRING),
        req("type", STRING).until(V2012_02_14),
        opt("type", STRING).since(V2012_02_14),
        req("name", STRING).until(V2012_02_14),
        opt("name", STRING).since(V2012_02_14),
        opt("folder", STRING),
        opt("filename", STRING),
        opt("created", DATE_TIME),
        opt("createUser", STRING),
        opt("lastModified", DATE_TIME),
        opt("lastModifyUser", STRING),
        opt("metadataArray", of(&METADATA_ARRAY)),
        opt("score", DOUBLE),
        opt("scoreDetail", STRING),
    ],
);

/// `AssetSummaryArray`.
pub static ASSET_SUMMARY_ARRAY: Type = Type::new("AssetSummaryArray", &[many("items", of(&ASSET_SUMMARY))]);
