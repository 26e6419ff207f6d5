//! The types of sets and associations: an image set's members
//! (`ImageSetMember` in replies, `ImageSetMemberUpdate` in requests, both
//! pre-4.0 on), and `GenerationInfo`, which `getAssociatedAssets` answers
//! (from 2008-01-15, the release that added it and `getGenerationInfo`).

use crate::ips::contract::prelude::*;

use super::asset::ASSET;

/// `ImageSetMember`.
pub static IMAGE_SET_MEMBER: Type = Type::new("ImageSetMember", &[opt("asset", of(&ASSET)), opt("pageReset", BOOLEAN)]);

/// `ImageSetMemberArray`.
pub static IMAGE_SET_MEMBER_ARRAY: Type = Type::new("ImageSetMemberArray", &[many("items", of(&IMAGE_SET_MEMBER))]);

/// `ImageSetMemberUpdate`.
pub static IMAGE_SET_MEMBER_UPDATE: Type = Type::new(
    "ImageSetMemberUpdate",
    &[req("assetHandle", STRING), req("pageReset", BOOLEAN)],
);

/// `ImageSetMemberUpdateArray`.
pub static IMAGE_SET_MEMBER_UPDATE_ARRAY: Type = Type::new(
    "ImageSetMemberUpdateArray",
    &[many("items", of(&IMAGE_SET_MEMBER_UPDATE))],
);

/// `GenerationAttribute`.
pub static GENERATION_ATTRIBUTE: Type = Type::new("GenerationAttribute", &[opt("name", STRING), opt("value", STRING)]);

/// `GenerationAttributeArray`.
pub static GENERATION_ATTRIBUTE_ARRAY: Type =
    Type::new("GenerationAttributeArray", &[many("items", of(&GENERATION_ATTRIBUTE))]);

/// `GenerationInfo`.
pub static GENERATION_INFO: Type = Type::new(
    "GenerationInfo",
    &[
        opt("engine", STRING),
        opt("originator", of(&ASSET)),
        opt("generated", of(&ASSET)),
        opt("attributeArray", of(&GENERATION_ATTRIBUTE_ARRAY)),
    ],
);

/// `GenerationInfoArray`.
pub static GENERATION_INFO_ARRAY: Type = Type::new("GenerationInfoArray", &[many("items", of(&GENERATION_INFO))]);
