//! The kinds of job `submitJob` takes, and `ActiveJob` and `ScheduledJob`
//! echo: publishing, uploading from a server directory, URLs or an HTTP
//! POST, optimizing, reprocessing, exports and automated sets.
//!
//! The job kinds are not a choice in Adobe's schema but a run of optional
//! elements, one a kind, that `submitJobParam`, `ActiveJob` and
//! `ScheduledJob` all end with. They are exposed as that run of fields,
//! ready to be joined to a type's own fields with `contract::fields!`:
//! [`JOB_KIND_FIELDS`] (the 13 kinds of `submitJobParam` and
//! `ScheduledJob`) and [`ACTIVE_JOB_KIND_FIELDS`] (the same with
//! `uploadPostJob`, which only `ActiveJob` has). Each kind field carries
//! the versions it exists in; its type is `field.ty.complex()`.
//!
//! Each type is Adobe's in 2013-02-15 and 2014-04-03; the versions before
//! follow the pre-4.0 contract and the change logs (README, "The contract
//! per version", Jobs).

use crate::ips::contract::prelude::*;

use super::common::HANDLE_ARRAY;
use super::job_options::*;

/// `ImageServingPublishJob`: `contextHandle` from 2010-01-31 (the 4.5
/// restricted-use list).
pub static IMAGE_SERVING_PUBLISH_JOB: Type = Type::new(
    "ImageServingPublishJob",
    &[
        req("publishType", STRING),
        req("emailSetting", STRING),
        opt("httpCompletionUrl", STRING),
        opt("contextHandle", STRING).since(V2010_01_31),
    ],
);

/// The fields of a publish job with a publish context.
const CONTEXT_PUBLISH: &[Field] = &[
    req("emailSetting", STRING),
    opt("httpCompletionUrl", STRING),
    opt("contextHandle", STRING).since(V2010_01_31),
];

/// `ImageRenderingPublishJob`: `contextHandle` from 2010-01-31 (the 4.5
/// restricted-use list; the 6.0 log lists it again).
pub static IMAGE_RENDERING_PUBLISH_JOB: Type = Type::new("ImageRenderingPublishJob", CONTEXT_PUBLISH);

/// `VideoPublishJob`, the same as `ImageRenderingPublishJob`.
pub static VIDEO_PUBLISH_JOB: Type = Type::new("VideoPublishJob", CONTEXT_PUBLISH);

/// `ServerDirectoryPublishJob`.
pub static SERVER_DIRECTORY_PUBLISH_JOB: Type = Type::new(
    "ServerDirectoryPublishJob",
    &[req("emailSetting", STRING), opt("httpCompletionUrl", STRING)],
);

/// `MetadataPublishJob`.
pub static METADATA_PUBLISH_JOB: Type = Type::new("MetadataPublishJob", &[opt("forcePublish", BOOLEAN)]);

/// `OptimizeImagesJob` (4.0's "Optimize Remaining Files" jobs).
pub static OPTIMIZE_IMAGES_JOB: Type = Type::new("OptimizeImagesJob", &[req("emailSetting", STRING)]);

/// `CreateVideoSitemapJob` (the 4.5 restricted-use list).
pub static CREATE_VIDEO_SITEMAP_JOB: Type = Type::new("CreateVideoSitemapJob", &[opt("forceUpdate", BOOLEAN)]);

/// `ExportJob` (6.0).
pub static EXPORT_JOB: Type = Type::new(
    "ExportJob",
    &[
        req("assetHandleArray", of(&HANDLE_ARRAY)),
        req("fmt", STRING),
        opt("is_modifier", STRING),
        opt("macro", STRING),
        req("emailSetting", STRING),
        opt("clientId", STRING),
    ],
);

/// `AutomatedSetGenerationJob`.
pub static AUTOMATED_SET_GENERATION_JOB: Type = Type::new(
    "AutomatedSetGenerationJob",
    &[
        req("assetHandleArray", of(&HANDLE_ARRAY)),
        opt("destFolder", STRING),
        req("readyForPublish", BOOLEAN),
        req("autoSetCreationOptions", of(&AUTO_SET_CREATION_OPTIONS)),
        req("emailSetting", STRING),
    ],
);

/// `UploadUrl`.
pub static UPLOAD_URL: Type = Type::new("UploadUrl", &[req("sourceUrl", STRING), req("destPath", STRING)]);

/// `UploadUrlArray`.
pub static UPLOAD_URL_ARRAY: Type = Type::new("UploadUrlArray", &[many("items", of(&UPLOAD_URL))]);

/// The crops every processing job offers: knockout (2013-02-15, no
/// record before), manual, by colour and by transparency (pre-4.0).
const CROPS: &[Field] = &[
    opt("knockoutBackgroundOptions", of(&KNOCKOUT_BACKGROUND_OPTIONS)).since(V2013_02_15),
    opt("manualCropOptions", of(&MANUAL_CROP_OPTIONS)),
    opt("autoColorCropOptions", of(&AUTO_COLOR_CROP_OPTIONS)),
    opt("autoTransparentCropOptions", of(&AUTO_TRANSPARENT_CROP_OPTIONS)),
];

/// What the upload jobs do with what they upload, after the crops: PDF
/// and Illustrator options from 2008-01-15 (4.0 log), automated sets from
/// 2009-07-31 (4.4's `AutoSetCreationOptions`).
const UPLOAD_OPTIONS: &[Field] = fields![
    CROPS,
    &[
        opt("photoshopOptions", of(&PHOTOSHOP_OPTIONS)),
        opt("postScriptOptions", of(&POST_SCRIPT_OPTIONS)),
        opt("pdfOptions", of(&PDF_OPTIONS)).since(V2008_01_15),
        opt("illustratorOptions", of(&ILLUSTRATOR_OPTIONS)).since(V2008_01_15),
        opt("colorManagementOptions", of(&COLOR_MANAGEMENT_OPTIONS)),
        opt("autoSetCreationOptions", of(&AUTO_SET_CREATION_OPTIONS)).since(V2009_07_31),
        opt("projectHandleArray", of(&HANDLE_ARRAY)),
        req("emailSetting", STRING),
    ],
];

/// The publish jobs a processing job may start when it ends.
const FOLLOW_ON_PUBLISH: &[Field] = &[
    opt("postImageServingPublishJob", of(&IMAGE_SERVING_PUBLISH_JOB)),
    opt("postImageRenderingPublishJob", of(&IMAGE_RENDERING_PUBLISH_JOB)),
    opt("postVideoPublishJob", of(&VIDEO_PUBLISH_JOB)),
];

/// What a job does when it ends: post only if there were files, notify a
/// URL, start a publish job.
const WHEN_DONE: &[Field] = fields![
    &[opt("postJobOnlyIfFiles", BOOLEAN), opt("postHttpUrl", STRING)],
    FOLLOW_ON_PUBLISH,
];

/// Video and InDesign processing (2013-02-15, no record before; the 4.2
/// log's `UploadDirectoryJob/videoEncodingPreset` is in no contract).
const MEDIA_AND_IN_DESIGN: &[Field] = &[
    opt("mediaOptions", of(&MEDIA_OPTIONS)).since(V2013_02_15),
    opt("inDesignOptions", of(&IN_DESIGN_OPTIONS)).since(V2013_02_15),
];

/// The last fields of `UploadUrlsJob` and `UploadPostJob`.
const UPLOAD_TAIL: &[Field] = &[
    opt("xmpKeywords", STRING).since(V2014_04_03),
    opt("unsharpMaskOptions", of(&UNSHARP_MASK_OPTIONS)).since(V2013_02_15),
    opt("unCompressOptions", of(&UN_COMPRESS_OPTIONS)).since(V2013_02_15),
    opt("excludeMasterVideoFromAVS", BOOLEAN).since(V2014_04_03),
];

/// `UploadDirectoryJob`: `preservePublishState` and `preserveCrop` from
/// 2008-09-10 (4.2 log); the XMP fields from 2010-01-31 (the 4.5
/// restricted-use list), the template ones until 2014-04-03.
pub static UPLOAD_DIRECTORY_JOB: Type = Type::new(
    "UploadDirectoryJob",
    fields![
        &[
            opt("destFolder", STRING),
            req("serverDir", STRING),
            req("overwrite", BOOLEAN),
            req("readyForPublish", BOOLEAN),
            opt("preservePublishState", BOOLEAN).since(V2008_09_10),
            req("includeSubfolders", BOOLEAN),
            req("createMask", BOOLEAN),
            req("processMetadataFiles", BOOLEAN),
            opt("preserveCrop", BOOLEAN).since(V2008_09_10),
        ],
        UPLOAD_OPTIONS,
        WHEN_DONE,
        MEDIA_AND_IN_DESIGN,
        &[
            opt("xmpKeywords", STRING).since(V2010_01_31),
            opt("xmpTemplateId", STRING).since(V2010_01_31).until(V2014_04_03),
            opt("xmpTemplateOverwrites", BOOLEAN)
                .since(V2010_01_31)
                .until(V2014_04_03),
            opt("unsharpMaskOptions", of(&UNSHARP_MASK_OPTIONS)).since(V2013_02_15),
            opt("unCompressOptions", of(&UN_COMPRESS_OPTIONS)).since(V2013_02_15),
            opt("excludeMasterVideoFromAVS", BOOLEAN).since(V2014_04_03),
        ],
    ],
);

/// `UploadUrlsJob`: `numUrls` from 2010-01-31 (4.5 log),
/// `preservePublishState` and `preserveCrop` from 2008-09-10 (4.2 log).
pub static UPLOAD_URLS_JOB: Type = Type::new(
    "UploadUrlsJob",
    fields![
        &[
            opt("urlArray", of(&UPLOAD_URL_ARRAY)),
            opt("numUrls", INT).since(V2010_01_31),
            req("overwrite", BOOLEAN),
            req("readyForPublish", BOOLEAN),
            opt("preservePublishState", BOOLEAN).since(V2008_09_10),
            req("createMask", BOOLEAN),
            opt("preserveCrop", BOOLEAN).since(V2008_09_10),
        ],
        UPLOAD_OPTIONS,
        WHEN_DONE,
        MEDIA_AND_IN_DESIGN,
        UPLOAD_TAIL,
    ],
);

/// `UploadPostJob`: the options of a job of the UploadFile servlet (its
/// `uploadParams`), which `ActiveJob` echoes from 2013-02-15.
pub static UPLOAD_POST_JOB: Type = Type::new(
    "UploadPostJob",
    fields![
        &[
            req("overwrite", BOOLEAN),
            req("readyForPublish", BOOLEAN),
            opt("preservePublishState", BOOLEAN),
            req("createMask", BOOLEAN),
            opt("preserveCrop", BOOLEAN),
        ],
        UPLOAD_OPTIONS,
        &[opt("postHttpUrl", STRING)],
        MEDIA_AND_IN_DESIGN,
        UPLOAD_TAIL,
    ],
);

/// `ReprocessAssetsJob` (4.0): `readyForPublish`, `preservePublishState`
/// and `preserveCrop` from 2008-09-10 (4.2 log), automated sets from
/// 2009-07-31.
pub static REPROCESS_ASSETS_JOB: Type = Type::new(
    "ReprocessAssetsJob",
    fields![
        &[
            req("assetHandleArray", of(&HANDLE_ARRAY)),
            opt("readyForPublish", BOOLEAN).since(V2008_09_10),
            opt("preservePublishState", BOOLEAN).since(V2008_09_10),
            req("createMask", BOOLEAN),
            opt("preserveCrop", BOOLEAN).since(V2008_09_10),
        ],
        CROPS,
        &[
            opt("photoshopOptions", of(&PHOTOSHOP_OPTIONS)),
            opt("postScriptOptions", of(&POST_SCRIPT_OPTIONS)),
            opt("pdfOptions", of(&PDF_OPTIONS)),
            opt("mediaOptions", of(&MEDIA_OPTIONS)).since(V2013_02_15),
            opt("illustratorOptions", of(&ILLUSTRATOR_OPTIONS)),
            opt("colorManagementOptions", of(&COLOR_MANAGEMENT_OPTIONS)),
            opt("autoSetCreationOptions", of(&AUTO_SET_CREATION_OPTIONS)).since(V2009_07_31),
            opt("projectHandleArray", of(&HANDLE_ARRAY)),
            req("emailSetting", STRING),
        ],
        WHEN_DONE,
        &[
            opt("inDesignOptions", of(&IN_DESIGN_OPTIONS)).since(V2013_02_15),
            opt("unsharpMaskOptions", of(&UNSHARP_MASK_OPTIONS)).since(V2014_04_03),
            opt("excludeMasterVideoFromAVS", BOOLEAN).since(V2014_04_03),
        ],
    ],
);

/// `RipPdfsJob` (deprecated by Adobe for `ReprocessAssetsJob`).
pub static RIP_PDFS_JOB: Type = Type::new(
    "RipPdfsJob",
    fields![
        &[req("pdfHandleArray", of(&HANDLE_ARRAY)), req("createMask", BOOLEAN)],
        CROPS,
        &[
            opt("postScriptOptions", of(&POST_SCRIPT_OPTIONS)),
            opt("pdfOptions", of(&PDF_OPTIONS)),
            opt("illustratorOptions", of(&ILLUSTRATOR_OPTIONS)),
            opt("colorManagementOptions", of(&COLOR_MANAGEMENT_OPTIONS)),
            opt("projectHandleArray", of(&HANDLE_ARRAY)),
            req("emailSetting", STRING),
            opt("postHttpUrl", STRING),
        ],
        FOLLOW_ON_PUBLISH,
        &[opt("inDesignOptions", of(&IN_DESIGN_OPTIONS))],
    ],
);

/// The kinds up to `uploadUrlsJob`, where `ActiveJob` adds `uploadPostJob`:
/// the pre-4.0 contract's, and `metadataPublishJob` (2013-02-15, no record
/// before).
const KINDS_TO_UPLOAD_URLS: &[Field] = &[
    opt("imageServingPublishJob", of(&IMAGE_SERVING_PUBLISH_JOB)),
    opt("imageRenderingPublishJob", of(&IMAGE_RENDERING_PUBLISH_JOB)),
    opt("videoPublishJob", of(&VIDEO_PUBLISH_JOB)),
    opt("serverDirectoryPublishJob", of(&SERVER_DIRECTORY_PUBLISH_JOB)),
    opt("metadataPublishJob", of(&METADATA_PUBLISH_JOB)).since(V2013_02_15),
    opt("uploadDirectoryJob", of(&UPLOAD_DIRECTORY_JOB)),
    opt("uploadUrlsJob", of(&UPLOAD_URLS_JOB)),
];

/// The kinds after `uploadUrlsJob`, each from the release whose log adds
/// it (`ripPdfsJob` and `automatedSetGenerationJob`: 2013-02-15, no
/// record before).
const KINDS_AFTER_UPLOAD_URLS: &[Field] = &[
    opt("optimizeImagesJob", of(&OPTIMIZE_IMAGES_JOB)).since(V2008_01_15),
    opt("ripPdfsJob", of(&RIP_PDFS_JOB)).since(V2013_02_15),
    opt("reprocessAssetsJob", of(&REPROCESS_ASSETS_JOB)).since(V2008_01_15),
    opt("createVideoSitemapJob", of(&CREATE_VIDEO_SITEMAP_JOB)).since(V2010_01_31),
    opt("exportJob", of(&EXPORT_JOB)).since(V2012_02_14),
    opt("automatedSetGenerationJob", of(&AUTOMATED_SET_GENERATION_JOB)).since(V2013_02_15),
];

/// The job kinds of `submitJobParam` and `ScheduledJob`, in schema order,
/// with their versions: the elements those end with.
pub static JOB_KIND_FIELDS: &[Field] = fields![KINDS_TO_UPLOAD_URLS, KINDS_AFTER_UPLOAD_URLS];

/// The job kinds of `ActiveJob`: [`JOB_KIND_FIELDS`] with `uploadPostJob`
/// (2013-02-15, no record before) after `uploadUrlsJob`.
pub static ACTIVE_JOB_KIND_FIELDS: &[Field] = fields![
    KINDS_TO_UPLOAD_URLS,
    &[opt("uploadPostJob", of(&UPLOAD_POST_JOB)).since(V2013_02_15)],
    KINDS_AFTER_UPLOAD_URLS,
];
