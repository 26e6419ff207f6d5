//! `ExportJob`: the chosen assets' stored files (`fmt=orig`) or their
//! renderings with `is_modifier` (`fmt=convert`), in one ZIP archive that
//! the emulator stores and serves at `GET /scene7/export/<job id>/<job
//! name>.zip`; the job's log names that URL in a detail's `assetName`,
//! which is where clients look for it.
//!
//! An asset that is not found or cannot be rendered is an error line and is
//! left out of the archive; the archive is stored (durably, like any file)
//! and named by the job's row, so it lives as long as the job's log.

use std::sync::Arc;

use crate::app::AppState;
use crate::catalog::{Asset, JobRow, NewDetail};
use crate::handles::AssetHandle;
use crate::ips::blobs::{commands_around, render_stored};
use crate::ips::Error;
use crate::tasks::{Control, Stopped};
use crate::{cpu, render};

use super::zip::Zip;
use super::{record, Finished, Step};

/// Exports `assets` of the job's company.
pub(super) async fn run(
    state: &Arc<AppState>,
    job: &JobRow,
    assets: &[String],
    convert: Option<&str>,
    control: &Control,
) -> Result<Finished, Stopped> {
    let mut zip = Zip::new();
    let mut names = std::collections::HashSet::new();
    for (i, raw) in assets.iter().enumerate() {
        control.checkpoint().await?;
        let step = match entry(state, job.company_id, raw, convert).await {
            Ok((asset, name, bytes)) => {
                // Two assets may give one file name (an image and its copy
                // with the same extension cannot, names are unique; but a
                // rendering changes the extension): the later is numbered.
                let name = unique(&mut names, name);
                let line = NewDetail::new("ReturnSuccess", format!("{name} was added to the export")).asset(
                    asset.name.clone(),
                    "MasterImage",
                    Some(asset.handle().to_string()),
                );
                match zip.add(&name, &bytes) {
                    Ok(()) => Step::ok(line),
                    Err(_) => Step::failed(
                        NewDetail::new("GetFailure", format!("{raw}: the export archive is full")).asset(
                            asset.name,
                            "MasterImage",
                            Some(raw.clone()),
                        ),
                    ),
                }
            }
            Err(message) => Step::failed(NewDetail::new("GetFailure", format!("{raw}: {message}"))),
        };
        record(state, job, Some(step), i + 1, assets.len()).await;
    }
    if zip.len() == 0 {
        return Ok(Finished {
            failed: true,
            details: vec![NewDetail::new("FatalError", "No asset could be exported")],
            export_hash: None,
        });
    }
    let archive = zip.finish();
    let store = state.store.clone();
    let stored = cpu::offload(move || store.put(&archive)).await;
    let hash = match stored {
        Ok(Ok(hash)) => hash,
        Ok(Err(e)) => {
            tracing::error!(job = job.id, error = %e, "could not store an export archive");
            return Ok(super::fatal("The export archive could not be stored"));
        }
        Err(_) => return Ok(super::fatal("The export archive could not be stored")),
    };
    let url = url_of(state, job);
    Ok(Finished {
        failed: false,
        details: vec![NewDetail::new("ReturnSuccess", "The export archive is ready").asset(url, "Zip", None)],
        export_hash: Some(hash),
    })
}

/// The URL the job's archive is served at.
fn url_of(state: &AppState, job: &JobRow) -> String {
    format!(
        "{}/scene7/export/{}/{}.zip",
        state.public_url(),
        job.id,
        crate::ips::types::asset::path_segment(&job.original_name)
    )
}

/// The stored archive of job `id` (any company: the URL is the secret, as
/// Scene7's export links are), if it has one.
pub async fn archive(state: &Arc<AppState>, id: i64, file: &str) -> Result<Option<Arc<[u8]>>, Error> {
    let Some(job) = state.catalog.job_any(id).await? else {
        return Ok(None);
    };
    let (Some(hash), true) = (job.export_hash, file == format!("{}.zip", job.original_name)) else {
        return Ok(None);
    };
    let store = state.store.clone();
    Ok(Some(cpu::offload(move || store.get(&hash)).await??))
}

async fn entry(
    state: &Arc<AppState>,
    company_id: i64,
    raw: &str,
    convert: Option<&str>,
) -> Result<(Asset, String, Vec<u8>), String> {
    let handle = AssetHandle::parse(raw).ok_or_else(|| "not an asset handle".to_owned())?;
    let asset = state
        .catalog
        .asset(company_id, handle)
        .await
        .map_err(crate::ips::jobs::asset_refusal)?;
    match convert {
        None => {
            let store = state.store.clone();
            let hash = asset.content_hash.clone();
            let bytes = cpu::offload(move || store.get(&hash))
                .await
                .map_err(|_| "could not be read".to_owned())?
                .map_err(|_| "could not be read".to_owned())?;
            let name = file_name(&asset.name, asset.format.as_deref());
            Ok((asset, name, bytes.to_vec()))
        }
        Some(modifier) => {
            if asset.asset_type != "Image" {
                return Err(format!("is a {}, not an Image", asset.asset_type));
            }
            let commands = commands_around(&asset, modifier);
            let parsed = render::modifier::parse(&commands).map_err(|e| render::Error::from(e).to_string())?;
            let rendered = render_stored(state, asset.content_hash.clone(), parsed)
                .await
                .map_err(|e| super::records::reason(&Error::from(e)))?;
            let name = file_name(&asset.name, Some(rendered.info.format));
            Ok((asset, name, rendered.bytes))
        }
    }
}

fn file_name(name: &str, format: Option<&str>) -> String {
    match format {
        Some("jpeg") => format!("{name}.jpg"),
        Some("tiff") => format!("{name}.tif"),
        Some(f) => format!("{name}.{f}"),
        None => name.to_owned(),
    }
}

fn unique(taken: &mut std::collections::HashSet<String>, name: String) -> String {
    let mut candidate = name.clone();
    let mut n = 1;
    while !taken.insert(candidate.clone()) {
        n += 1;
        candidate = match name.rsplit_once('.') {
            Some((stem, ext)) => format!("{stem}-{n}.{ext}"),
            None => format!("{name}-{n}"),
        };
    }
    candidate
}
