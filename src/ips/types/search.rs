//! Search conditions: system fields, metadata fields, tags and generated
//! by-products.

use crate::ips::contract::prelude::*;

use super::common::STRING_ARRAY;

/// `SystemFieldCondition`.
pub static SYSTEM_FIELD_CONDITION: Type = Type::new(
    "SystemFieldCondition",
    &[
        req("field", STRING),
        req("op", STRING),
        req("value", STRING).until(V2008_01_15),
        opt("value", STRING).since(V2008_01_15),
        opt("boolVal", BOOLEAN).since(V2008_01_15),
        opt("longVal", LONG).since(V2008_01_15),
        opt("minLong", LONG).since(V2008_01_15),
        opt("maxLong", LONG).since(V2008_01_15),
        opt("doubleVal", DOUBLE).since(V2008_01_15),
        opt("minDouble", DOUBLE).since(V2008_01_15),
        opt("maxDouble", DOUBLE).since(V2008_01_15),
        opt("dateVal", DATE_TIME).since(V2008_01_15),
        opt("minDate", DATE_TIME).since(V2008_01_15),
        opt("maxDate", DATE_TIME).since(V2008_01_15),
    ],
);

/// `SystemFieldConditionArray`.
pub static SYSTEM_FIELD_CONDITION_ARRAY: Type = Type::new(
    "SystemFieldConditionArray",
    &[many("items", of(&SYSTEM_FIELD_CONDITION))],
);

/// `MetadataCondition`.
pub static METADATA_CONDITION: Type = Type::new(
    "MetadataCondition",
    &[
        req("fieldHandle", STRING),
        req("op", STRING),
        req("value", STRING).until(V2008_01_15),
        opt("caseSensitive", BOOLEAN).since(V2010_01_31),
        opt("value", STRING).since(V2008_01_15),
        opt("values", of(&STRING_ARRAY)).since(V2013_02_15),
        opt("boolVal", BOOLEAN).since(V2008_01_15),
        opt("longVal", LONG).since(V2008_01_15),
        opt("minLong", LONG).since(V2008_01_15),
        opt("maxLong", LONG).since(V2008_01_15),
        opt("doubleVal", DOUBLE).since(V2008_01_15),
        opt("minDouble", DOUBLE).since(V2008_01_15),
        opt("maxDouble", DOUBLE).since(V2008_01_15),
        opt("dateVal", DATE_TIME).since(V2008_01_15),
        opt("minDate", DATE_TIME).since(V2008_01_15),
        opt("maxDate", DATE_TIME).since(V2008_01_15),
    ],
);

/// `MetadataConditionArray`.
pub static METADATA_CONDITION_ARRAY: Type =
    Type::new("MetadataConditionArray", &[many("items", of(&METADATA_CONDITION))]);

/// `TagCondition`.
pub static TAG_CONDITION: Type = Type::new(
    "TagCondition",
    &[
        req("fieldHandle", STRING),
        req("op", STRING),
        opt("value", STRING),
        opt("valueArray", of(&STRING_ARRAY)),
    ],
);

/// `TagConditionArray`.
pub static TAG_CONDITION_ARRAY: Type = Type::new("TagConditionArray", &[many("items", of(&TAG_CONDITION))]);

/// `ExcludeByproductCondition`.
pub static EXCLUDE_BYPRODUCT_CONDITION: Type = Type::new(
    "ExcludeByproductCondition",
    &[req("engine", STRING), req("generatedAssetType", STRING)],
);

/// `ExcludeByproductArray`.
pub static EXCLUDE_BYPRODUCT_ARRAY: Type = Type::new(
    "ExcludeByproductArray",
    &[many("items", of(&EXCLUDE_BYPRODUCT_CONDITION))],
);

/// `SearchFilter` (4.5): `searchAssetsByMetadata`'s filters, those of
/// `searchAssets` gathered in one element.
pub static SEARCH_FILTER: Type = Type::new(
    "SearchFilter",
    &[
        opt("folder", STRING),
        opt("includeSubfolders", BOOLEAN),
        opt("assetTypeArray", of(&STRING_ARRAY)),
        opt("excludeAssetTypeArray", of(&STRING_ARRAY)),
        opt("assetSubTypeArray", of(&STRING_ARRAY)),
        opt("strictSubTypeCheck", BOOLEAN).since(V2014_04_03),
        opt("excludeByproducts", BOOLEAN),
        opt("projectHandle", STRING),
        opt("publishState", STRING),
        opt("trashState", STRING),
    ],
);
