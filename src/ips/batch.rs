//! The reply of an operation over several assets (`moveAssets`,
//! `deleteAssets`, `restoreAssetsFromTrash`, `emptyAssetsFromTrash`,
//! `setAssetsPublishState`): each asset succeeds or fails on its own, and
//! failures are listed per asset, in the order sent, with the code and
//! reason the equivalent fault would carry, rather than failing the whole
//! call.

use std::future::Future;

use super::refusal::{asset_handle, Subject};
use super::value::{Params, Record};
use super::{company_for, Call, Error};
use crate::catalog;
use crate::handles::AssetHandle;

/// An operation on `companyHandle`'s `assetHandleArray`, each asset on its
/// own: `work` gets the company's id and the handles that parse, and
/// answers one result per handle, in order. Returns the reply's counts and
/// failures, and what the successes gave back.
pub(crate) async fn each_asset<T, W, F>(call: &Call<'_>, p: Params, work: W) -> Result<(Outcome, Vec<T>), Error>
where
    W: FnOnce(i64, Vec<AssetHandle>) -> F,
    F: Future<Output = Result<Vec<Result<T, catalog::Error>>, catalog::Error>>,
{
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let assets = p.required_strings("assetHandleArray")?;
    let handles = Handles::parse(&assets);
    let subject = Subject::new(company, &raw_company);
    let results = work(company.0, handles.valid()).await.map_err(|e| subject.refusal(e))?;
    let mut outcome = Outcome::default();
    let mut values = Vec::new();
    for (asset, result) in handles.results(results, subject) {
        values.extend(outcome.record(asset, result));
    }
    Ok((outcome, values))
}

/// A batch's asset handles as sent, each parsed: one that cannot be parsed
/// fails on its own, like any other item, and the others go to the catalog.
#[derive(Debug)]
pub(crate) struct Handles<'a> {
    raw: &'a [String],
    parsed: Vec<Result<AssetHandle, Error>>,
}

impl<'a> Handles<'a> {
    /// Parses every handle of `raw`.
    pub(crate) fn parse(raw: &'a [String]) -> Self {
        let parsed = raw.iter().map(|a| asset_handle(a)).collect();
        Handles { raw, parsed }
    }

    /// The handles that parsed, in order: what the catalog works on.
    pub(crate) fn valid(&self) -> Vec<AssetHandle> {
        self.parsed.iter().filter_map(|r| r.as_ref().ok().copied()).collect()
    }

    /// Every item as sent with its result, in order: its parse error, or
    /// the catalog's answer for it (`results`, one per valid handle), a
    /// refusal worded as the single-asset operation's fault on `subject`.
    pub(crate) fn results<T>(
        self,
        results: Vec<Result<T, catalog::Error>>,
        subject: Subject<'_>,
    ) -> Vec<(&'a str, Result<T, Error>)> {
        let mut results = results.into_iter();
        self.raw
            .iter()
            .zip(self.parsed)
            .map(|(raw, parsed)| {
                let result = match parsed {
                    Err(e) => Err(e),
                    Ok(_) => match results.next() {
                        Some(r) => r.map_err(|e| subject.asset(raw).refusal(e)),
                        None => Err(Error::Task),
                    },
                };
                (raw.as_str(), result)
            })
            .collect()
    }
}

/// What happened to each asset.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    success: u32,
    errors: Vec<Record>,
}

impl Outcome {
    /// One asset done.
    pub(crate) fn succeeded(&mut self) {
        self.success += 1;
    }

    /// One asset, named as the request named it, not done, and why.
    pub(crate) fn failed(&mut self, handle: &str, error: Error) {
        self.errors
            .push(Record::new().with("assetHandle", handle).with_failure(error));
    }

    /// One asset's result, counted; what a success gave back.
    pub(crate) fn record<T>(&mut self, handle: &str, result: Result<T, Error>) -> Option<T> {
        match result {
            Ok(value) => {
                self.succeeded();
                Some(value)
            }
            Err(e) => {
                self.failed(handle, e);
                None
            }
        }
    }

    /// The counts, and the failures when there are any (the detail arrays
    /// are left out when empty, as Scene7 answers).
    pub(crate) fn into_record(self) -> Record {
        let errors = self.errors.len();
        let record = Record::new()
            .with_number("successCount", self.success)
            .with_number("warningCount", 0)
            .with_number("errorCount", errors);
        if errors == 0 {
            record
        } else {
            record.with_array("errorDetailArray", self.errors.into_iter().map(Into::into).collect())
        }
    }
}
