//! `ReprocessAssetsJob`: each asset's stored file is read and probed again,
//! and its image information (width, height, format, size) refreshed from
//! what the file really is. The processing options (masks, crops,
//! sharpening…) are accepted and change nothing: the emulator keeps files
//! as they were uploaded.

use std::sync::Arc;

use crate::app::AppState;
use crate::catalog::{Asset, JobRow, NewDetail};
use crate::handles::AssetHandle;
use crate::render;
use crate::tasks::{Control, Stopped};

use super::{record, Finished, Step};

/// Reprocesses `assets` of the job's company.
pub(super) async fn run(
    state: &Arc<AppState>,
    job: &JobRow,
    assets: &[String],
    control: &Control,
) -> Result<Finished, Stopped> {
    let mut done = 0;
    for (i, raw) in assets.iter().enumerate() {
        control.checkpoint().await?;
        let step = match reprocess(state, job.company_id, raw).await {
            Ok(asset) => {
                done += 1;
                Step::ok(
                    NewDetail::new(
                        "ReoptimizeSuccess",
                        format!("{}{} was reprocessed", asset.folder, asset.name),
                    )
                    .asset(asset.name.clone(), "MasterImage", Some(asset.handle().to_string())),
                )
            }
            Err(message) => Step::failed(NewDetail::new("ReoptimizeFailure", format!("{raw}: {message}"))),
        };
        record(state, job, Some(step), i + 1, assets.len()).await;
    }
    Ok(Finished {
        failed: done == 0,
        details: Vec::new(),
        export_hash: None,
    })
}

async fn reprocess(state: &Arc<AppState>, company_id: i64, raw: &str) -> Result<Asset, String> {
    let handle = AssetHandle::parse(raw).ok_or_else(|| "not an asset handle".to_owned())?;
    let asset = state
        .catalog
        .asset(company_id, handle)
        .await
        .map_err(crate::ips::jobs::asset_refusal)?;
    if asset.asset_type != "Image" {
        return Err(format!("is a {}, not an Image", asset.asset_type));
    }
    let store = state.store.clone();
    let limits = state.limits.render.image;
    let hash = asset.content_hash.clone();
    let probed = state
        .cpu
        .run(move || {
            let bytes = store.get(&hash).map_err(|_| "its file could not be read".to_owned())?;
            render::probe(&bytes, limits)
                .map(|info| (info, bytes.len() as u64))
                .map_err(|e| e.to_string())
        })
        .await
        .map_err(|_| "the emulator is shutting down".to_owned())??;
    let (info, size) = probed;
    state
        .catalog
        .refresh_image(
            company_id,
            asset.id,
            asset.content_hash.clone(),
            (info.width, info.height, info.format.to_owned(), size),
        )
        .await
        .map_err(|e| match e {
            crate::catalog::Error::ContentChanged => "its file was replaced meanwhile; reprocess it again".to_owned(),
            _ => "could not be updated".to_owned(),
        })
}
