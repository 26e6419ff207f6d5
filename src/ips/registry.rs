//! The registry: every operation the emulator implements, one line each,
//! and the names of every operation the IPS API defines.
//!
//! Adding an operation is one new file in `ops/` and one line here; the
//! SOAP endpoints, the WSDL and XSD of every version, authorization, the
//! "not implemented" answer and the request journal all follow from it.

use super::contract::Version;
use super::ops;
use super::Operation;

/// The implemented operations, in the order the WSDLs list them.
pub static OPERATIONS: &[&Operation] = &[
    &ops::copy_image::OPERATION,
    &ops::check_login::OPERATION,
    &ops::get_company_info::OPERATION,
    &ops::get_user_info::OPERATION,
    &ops::get_folders::OPERATION,
    &ops::get_folder_tree::OPERATION,
    &ops::create_folder::OPERATION,
    &ops::delete_folder::OPERATION,
    &ops::rename_folder::OPERATION,
    &ops::move_folder::OPERATION,
    &ops::get_assets::OPERATION,
    &ops::get_assets_by_name::OPERATION,
    &ops::get_associated_assets::OPERATION,
    &ops::check_asset_names::OPERATION,
    &ops::get_asset_counts::OPERATION,
    &ops::search_assets::OPERATION,
    &ops::rename_asset::OPERATION,
    &ops::move_asset::OPERATION,
    &ops::move_assets::OPERATION,
    &ops::delete_asset::OPERATION,
    &ops::delete_assets::OPERATION,
    &ops::restore_assets_from_trash::OPERATION,
    &ops::empty_assets_from_trash::OPERATION,
    &ops::set_asset_publish_state::OPERATION,
    &ops::set_assets_publish_state::OPERATION,
    &ops::set_url_modifier::OPERATION,
    &ops::replace_image::OPERATION,
    &ops::create_image_set::OPERATION,
    &ops::set_image_set_members::OPERATION,
    &ops::get_image_set_members::OPERATION,
    &ops::update_image_set::OPERATION,
    &ops::create_asset_set::OPERATION,
    &ops::set_asset_set_definition::OPERATION,
    &ops::update_asset_set::OPERATION,
    &ops::create_derived_asset::OPERATION,
    &ops::submit_job::OPERATION,
    &ops::get_active_jobs::OPERATION,
    &ops::get_scheduled_jobs::OPERATION,
    &ops::stop_job::OPERATION,
    &ops::pause_job::OPERATION,
    &ops::resume_job::OPERATION,
    &ops::delete_job::OPERATION,
    &ops::execute_job::OPERATION,
    &ops::get_job_logs::OPERATION,
    &ops::get_job_log_details::OPERATION,
    &ops::get_asset_job_logs::OPERATION,
    &ops::cdn_cache_invalidation::OPERATION,
    &ops::get_cdn_cache_invalidation_status::OPERATION,
];

/// The implemented operation called `name`.
pub fn find(name: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().copied().find(|op| op.name == name)
}

/// The implemented operations `version` has, in order.
pub fn in_version(version: Version) -> impl Iterator<Item = &'static Operation> {
    OPERATIONS.iter().copied().filter(move |op| op.in_version(version))
}

/// Every operation name the IPS API defines (Adobe's 2013-02-15 and
/// 2014-04-03 WSDLs), sorted: a request naming one of these that the
/// emulator does not implement gets a clear "not implemented" fault, and a
/// SOAPAction naming one that is not the Body's operation is refused.
pub const ALL_NAMES: &[&str] = &[
    "addCompany",
    "addCompanyMembership",
    "addGroupMembers",
    "addGroupMembership",
    "addMediaPortalEvent",
    "addProjectAssets",
    "addTagFieldValues",
    "addUser",
    "batchGetAssetPublishContexts",
    "batchSetAssetMetadata",
    "batchSetFontFields",
    "batchSetIccProfileFields",
    "batchSetImageFields",
    "batchSetThumbAsset",
    "cdnCacheInvalidation",
    "checkAssetNames",
    "checkLogin",
    "copyImage",
    "createAssetSet",
    "createDerivedAsset",
    "createFolder",
    "createImageSet",
    "createMetadataField",
    "createProject",
    "createPropertySet",
    "createPropertySetType",
    "createTemplate",
    "createViewerPreset",
    "createVignettePublishFormat",
    "deleteAsset",
    "deleteAssetMetadata",
    "deleteAssets",
    "deleteFolder",
    "deleteGroup",
    "deleteImageFormat",
    "deleteImageMap",
    "deleteJob",
    "deleteMetadataField",
    "deleteProject",
    "deletePropertySet",
    "deletePropertySetType",
    "deleteTagFieldValues",
    "deleteVignettePublishFormat",
    "deleteZoomTarget",
    "emptyAssetsFromTrash",
    "executeJob",
    "forceRepublishAssets",
    "generatePassword",
    "getActiveJobs",
    "getActivePublishContexts",
    "getAllCompanies",
    "getAllUsers",
    "getAssetCounts",
    "getAssetJobLogs",
    "getAssetMetadataFields",
    "getAssetPublishHistory",
    "getAssets",
    "getAssetsByName",
    "getAssociatedAssets",
    "getAutoCropRect",
    "getCdnCacheInvalidationStatus",
    "getCompanyInfo",
    "getCompanyMembers",
    "getCompanyMembership",
    "getCompanySettings",
    "getDiskUsage",
    "getDistinctMetadataValues",
    "getFolderTree",
    "getFolders",
    "getGenerationInfo",
    "getGroupMembers",
    "getGroupMembership",
    "getGroups",
    "getImageFormats",
    "getImageRenderingCatalog",
    "getImageRenderingPublishSettings",
    "getImageServingCatalog",
    "getImageServingPublishSettings",
    "getImageSetMembers",
    "getJobLogDetails",
    "getJobLogs",
    "getMediaPortalEvent",
    "getMetadataFields",
    "getOriginalFilePaths",
    "getPhotoshopPath",
    "getPhotoshopPathNames",
    "getProjects",
    "getProperty",
    "getPropertySetType",
    "getPropertySetTypes",
    "getPropertySets",
    "getPublishContexts",
    "getScheduledJobs",
    "getSearchStrings",
    "getSystemProperties",
    "getTagFieldValues",
    "getUniqueMetadataValues",
    "getUserChars",
    "getUserInfo",
    "getUsers",
    "getViewerConfigSettings",
    "getVignettePublishFormats",
    "getXMPPacket",
    "getZipEntries",
    "moveAsset",
    "moveAssets",
    "moveFolder",
    "pauseJob",
    "removeAssetPermissions",
    "removeCompanyMembership",
    "removeFolderPermissions",
    "removeGroupMembers",
    "removeGroupMembership",
    "removeMask",
    "removeProjectAssets",
    "removePropertySetPermissions",
    "renameAsset",
    "renameFolder",
    "renameProject",
    "replaceImage",
    "restoreAssetsFromTrash",
    "resumeJob",
    "saveGroup",
    "saveImageFormat",
    "saveImageMap",
    "saveMetadataField",
    "saveZoomTarget",
    "searchAssets",
    "searchAssetsByMetadata",
    "setAssetMetadata",
    "setAssetPermissions",
    "setAssetPublishState",
    "setAssetSetDefinition",
    "setAssetsContextState",
    "setAssetsPublishState",
    "setCompanyMembership",
    "setCompanySettings",
    "setFolderPermissions",
    "setGroupMembers",
    "setGroupMembership",
    "setImageMaps",
    "setImageRenderingPublishSettings",
    "setImageServingPublishSettings",
    "setImageSetMembers",
    "setPassword",
    "setProjectAssets",
    "setPropertySetPermissions",
    "setTagFieldValues",
    "setUrlModifier",
    "setUserInfo",
    "setViewerConfigSettings",
    "setZoomTargets",
    "stopJob",
    "submitJob",
    "updateAssetPermissions",
    "updateAssetSet",
    "updateFolderPermissions",
    "updateImageSet",
    "updateMetadataField",
    "updatePropertySet",
    "updatePropertySetPermissions",
    "updateTagFieldValues",
    "updateViewerConfigSettings",
    "updateVignettePublishFormat",
    "updateXMPPacket",
    "uploadPost",
];

/// Whether `name` is an IPS operation.
pub fn is_ips_operation(name: &str) -> bool {
    ALL_NAMES.binary_search(&name).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sorted_and_implemented_ones_are_ips_operations() {
        assert!(ALL_NAMES.windows(2).all(|w| w[0] < w[1]));
        assert!(is_ips_operation("copyImage") && !is_ips_operation("copyimage"));
        for op in OPERATIONS {
            assert!(is_ips_operation(op.name), "{}", op.name);
            assert_eq!(find(op.name).map(|o| o.name), Some(op.name));
        }
        let mut names: Vec<_> = OPERATIONS.iter().map(|o| o.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), OPERATIONS.len(), "each operation registered once");
    }
}
