//! One file per operation: its declaration and its handler side by side.
//! `registry` lists them.

pub mod check_login;
pub mod copy_image;
pub mod create_folder;
pub mod delete_asset;
pub mod delete_assets;
pub mod delete_folder;
pub mod delete_job;
pub mod empty_assets_from_trash;
pub mod execute_job;
pub mod get_active_jobs;
pub mod get_asset_job_logs;
pub mod get_assets;
pub mod get_assets_by_name;
pub mod get_company_info;
pub mod get_folder_tree;
pub mod get_folders;
pub mod get_job_log_details;
pub mod get_job_logs;
pub mod get_scheduled_jobs;
pub mod get_user_info;
pub mod move_asset;
pub mod move_assets;
pub mod pause_job;
pub mod rename_asset;
pub mod rename_folder;
pub mod replace_image;
pub mod restore_assets_from_trash;
pub mod resume_job;
pub mod search_assets;
pub mod set_asset_publish_state;
pub mod set_assets_publish_state;
pub mod set_url_modifier;
pub mod stop_job;
pub mod submit_job;
