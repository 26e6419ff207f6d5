//! The contract's shared types, each declared once with the versions of its
//! fields, and the records replies build from the catalog's rows. The job
//! types are `jobs` (what the job operations answer), `job_specs` (the
//! kinds of job) and `job_options` (the kinds' processing options).
//!
//! The declarations follow Adobe's WSDLs for 2013-02-15 and 2014-04-03
//! exactly; for the versions before, the change logs, the pre-4.0 contract
//! and captured replies say which fields each version has (ARCHITECTURE.md,
//! "The contract per version").

pub mod asset;
pub mod common;
pub mod folder;
pub mod header;
pub mod identity;
pub mod image_fields;
pub mod infos;
pub mod job_options;
pub mod job_specs;
pub mod jobs;
pub mod metadata;
pub mod property_sets;
pub mod search;
pub mod sets;

pub use asset::{ASSET, ASSET_ARRAY};
pub use common::{
    ASSET_MOVE_ARRAY, ASSET_OPERATION_FAULT_ARRAY, EMAIL_CONFIRMATION, HANDLE_ARRAY, OPERATION_FAULT_ARRAY,
    PUBLISH_STATE_UPDATE_ARRAY, STRING_ARRAY, URL_ARRAY,
};
pub use folder::{FOLDER, FOLDER_ARRAY, PERMISSION_SET_ARRAY};
pub use identity::{COMPANY, USER};
pub use image_fields::{
    IMAGE_FIELD_UPDATE_ARRAY, IMAGE_MAP_DEFINITION_ARRAY, THUMB_ASSET_UPDATE_ARRAY, ZOOM_TARGET_DEFINITION_ARRAY,
};
pub use job_options::{
    AUTO_COLOR_CROP_OPTIONS, AUTO_SET_CREATION_OPTIONS, AUTO_TRANSPARENT_CROP_OPTIONS, COLOR_MANAGEMENT_OPTIONS,
    ILLUSTRATOR_OPTIONS, IN_DESIGN_OPTIONS, KNOCKOUT_BACKGROUND_OPTIONS, MANUAL_CROP_OPTIONS, MEDIA_OPTIONS,
    PDF_OPTIONS, PHOTOSHOP_LAYER_OPTIONS, PHOTOSHOP_OPTIONS, POST_SCRIPT_OPTIONS, THUMBNAIL_OPTIONS,
    UNSHARP_MASK_OPTIONS, UN_COMPRESS_OPTIONS,
};
pub use job_specs::{
    ACTIVE_JOB_KIND_FIELDS, AUTOMATED_SET_GENERATION_JOB, CREATE_VIDEO_SITEMAP_JOB, EXPORT_JOB,
    IMAGE_RENDERING_PUBLISH_JOB, IMAGE_SERVING_PUBLISH_JOB, JOB_KIND_FIELDS, METADATA_PUBLISH_JOB, OPTIMIZE_IMAGES_JOB,
    REPROCESS_ASSETS_JOB, RIP_PDFS_JOB, SERVER_DIRECTORY_PUBLISH_JOB, UPLOAD_DIRECTORY_JOB, UPLOAD_POST_JOB,
    UPLOAD_URL, UPLOAD_URLS_JOB, UPLOAD_URL_ARRAY, VIDEO_PUBLISH_JOB,
};
pub use jobs::{
    ACTIVE_JOB, ACTIVE_JOB_ARRAY, ASSET_JOB_LOG, ASSET_JOB_LOG_ARRAY, JOB_LOG, JOB_LOG_ARRAY, JOB_LOG_DETAIL,
    JOB_LOG_DETAIL_ARRAY, JOB_LOG_DETAIL_AUX, JOB_LOG_DETAIL_AUX_ARRAY, SCHEDULED_JOB, SCHEDULED_JOB_ARRAY,
    TASK_ITEM_PROGRESS, TASK_ITEM_PROGRESS_ARRAY, TASK_PROGRESS, TASK_PROGRESS_ARRAY,
};
pub use search::{
    EXCLUDE_BYPRODUCT_ARRAY, METADATA_CONDITION_ARRAY, SEARCH_FILTER, SYSTEM_FIELD_CONDITION_ARRAY, TAG_CONDITION_ARRAY,
};
pub use sets::{GENERATION_INFO_ARRAY, IMAGE_SET_MEMBER_ARRAY, IMAGE_SET_MEMBER_UPDATE_ARRAY};
