//! The processing options of upload and reprocessing jobs: background
//! knockout, crops, how Photoshop, PostScript, PDF, Illustrator and
//! InDesign files are processed, colour management, automated sets,
//! video encoding, sharpening and archives.
//!
//! Declared exactly as Adobe's 2013-02-15 and 2014-04-03 WSDLs have them
//! (the two agree on every option type). A type new in some version needs
//! no `since` of its own: only the job fields that reference it say when
//! it appears (README, "The contract per version", Jobs).

use crate::ips::contract::prelude::*;

use super::common::HANDLE_ARRAY;

/// `KnockoutBackgroundOptions`.
pub static KNOCKOUT_BACKGROUND_OPTIONS: Type = Type::new(
    "KnockoutBackgroundOptions",
    &[
        req("corner", STRING),
        opt("tolerance", DOUBLE),
        req("fillMethod", STRING),
    ],
);

/// `ManualCropOptions`.
pub static MANUAL_CROP_OPTIONS: Type = Type::new(
    "ManualCropOptions",
    &[req("left", INT), req("right", INT), req("top", INT), req("bottom", INT)],
);

/// `AutoColorCropOptions`.
pub static AUTO_COLOR_CROP_OPTIONS: Type = Type::new(
    "AutoColorCropOptions",
    &[req("corner", STRING), req("tolerance", DOUBLE)],
);

/// `AutoTransparentCropOptions`.
pub static AUTO_TRANSPARENT_CROP_OPTIONS: Type = Type::new("AutoTransparentCropOptions", &[req("tolerance", DOUBLE)]);

/// `PhotoshopOptions`. The pre-4.0 contract's has `maintainLayers`,
/// `layerNaming` and `anchor`; 4.0 adds the `createTemplate`,
/// `extractText` and `extendLayers` flags; the 4.5 log lists the type as
/// new, and from 2010-01-31 it is Adobe's `process` and `layerOptions`,
/// which hold the same settings.
pub static PHOTOSHOP_OPTIONS: Type = Type::new(
    "PhotoshopOptions",
    &[
        opt("maintainLayers", BOOLEAN).until(V2010_01_31),
        opt("layerNaming", STRING).until(V2010_01_31),
        opt("anchor", STRING).until(V2010_01_31),
        opt("createTemplate", BOOLEAN).since(V2008_01_15).until(V2010_01_31),
        opt("extractText", BOOLEAN).since(V2008_01_15).until(V2010_01_31),
        opt("extendLayers", BOOLEAN).since(V2008_01_15).until(V2010_01_31),
        opt("process", STRING).since(V2010_01_31),
        opt("layerOptions", of(&PHOTOSHOP_LAYER_OPTIONS)).since(V2010_01_31),
    ],
);

/// `PhotoshopLayerOptions`.
pub static PHOTOSHOP_LAYER_OPTIONS: Type = Type::new(
    "PhotoshopLayerOptions",
    &[
        opt("layerNaming", STRING),
        opt("anchor", STRING),
        opt("createTemplate", BOOLEAN),
        opt("extractText", BOOLEAN),
        opt("extendLayers", BOOLEAN),
    ],
);

/// `PostScriptOptions`: `process` and `alpha` from 2008-01-15 (4.0 log).
pub static POST_SCRIPT_OPTIONS: Type = Type::new(
    "PostScriptOptions",
    &[
        opt("process", STRING).since(V2008_01_15),
        opt("resolution", DOUBLE),
        opt("colorspace", STRING),
        opt("alpha", BOOLEAN).since(V2008_01_15),
        opt("extractSearchWords", BOOLEAN),
    ],
);

/// `PDFOptions` (4.0): `extractLinks` from 2009-07-31 (the 4.4 log, which
/// names it a field of `PDFInfo`, a type that does not exist).
pub static PDF_OPTIONS: Type = Type::new(
    "PDFOptions",
    &[
        opt("process", STRING),
        opt("resolution", DOUBLE),
        opt("colorspace", STRING),
        opt("pdfCatalog", BOOLEAN),
        opt("extractSearchWords", BOOLEAN),
        opt("extractLinks", BOOLEAN).since(V2009_07_31),
    ],
);

/// `IllustratorOptions` (4.0).
pub static ILLUSTRATOR_OPTIONS: Type = Type::new(
    "IllustratorOptions",
    &[
        opt("process", STRING),
        opt("resolution", DOUBLE),
        opt("colorspace", STRING),
        opt("alpha", BOOLEAN),
    ],
);

/// `ColorManagementOptions`.
pub static COLOR_MANAGEMENT_OPTIONS: Type = Type::new(
    "ColorManagementOptions",
    &[
        req("colorManagement", STRING),
        opt("sourceProfileHandle", STRING),
        opt("outputProfileHandle", STRING),
    ],
);

/// `AutoSetCreationOptions` (4.4).
pub static AUTO_SET_CREATION_OPTIONS: Type =
    Type::new("AutoSetCreationOptions", &[opt("autoSetsArray", of(&HANDLE_ARRAY))]);

/// `MediaOptions`.
pub static MEDIA_OPTIONS: Type = Type::new(
    "MediaOptions",
    &[
        opt("videoEncodingPresetsArray", of(&HANDLE_ARRAY)),
        opt("generateThumbnail", BOOLEAN),
        opt("thumbnailOptions", of(&THUMBNAIL_OPTIONS)),
    ],
);

/// `ThumbnailOptions`.
pub static THUMBNAIL_OPTIONS: Type = Type::new("ThumbnailOptions", &[opt("thumbnailTime", LONG)]);

/// `InDesignOptions`.
pub static IN_DESIGN_OPTIONS: Type = Type::new("InDesignOptions", &[opt("process", STRING)]);

/// `UnsharpMaskOptions`.
pub static UNSHARP_MASK_OPTIONS: Type = Type::new(
    "UnsharpMaskOptions",
    &[
        opt("amount", DOUBLE),
        opt("radius", DOUBLE),
        opt("threshold", INT),
        opt("monochrome", INT),
    ],
);

/// `UnCompressOptions`.
pub static UN_COMPRESS_OPTIONS: Type = Type::new("UnCompressOptions", &[req("process", STRING)]);
