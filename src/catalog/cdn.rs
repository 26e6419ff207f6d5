//! CDN cache invalidation requests: what `cdnCacheInvalidation` was asked
//! to purge, by whom and when, so that `getCdnCacheInvalidationStatus` can
//! answer for it. The emulator has no CDN: a request is complete once it is
//! recorded.

use rusqlite::{params, OptionalExtension};

use super::queries::{company_exists, timestamp};
use super::{Catalog, Error};

/// A recorded invalidation request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CdnInvalidation {
    /// Its id (the last part of its handle).
    pub id: i64,
    /// The URLs, as sent.
    pub urls: Vec<String>,
    /// When it was recorded.
    pub created_at: String,
}

impl Catalog {
    /// Records a request to invalidate `urls` for the company; its id.
    pub async fn record_cdn_invalidation(
        &self,
        company_id: i64,
        user_id: i64,
        urls: Vec<String>,
    ) -> Result<i64, Error> {
        self.call(move |t| {
            if !company_exists(t.conn, company_id)? {
                return Err(Error::CompanyNotFound);
            }
            t.conn
                .prepare_cached(
                    "INSERT INTO cdn_invalidations (company_id, user_id, urls, created_at) VALUES (?1, ?2, ?3, ?4)
                     RETURNING id",
                )?
                .query_row(
                    params![
                        company_id,
                        user_id,
                        urls.join("\n"),
                        timestamp(std::time::SystemTime::now())
                    ],
                    |r| r.get(0),
                )
                .map_err(Error::from)
        })
        .await
    }

    /// The company's invalidation request `id`, if it has one.
    pub async fn cdn_invalidation(&self, company_id: i64, id: i64) -> Result<Option<CdnInvalidation>, Error> {
        self.call_single_statement(move |t| {
            Ok(t.conn
                .prepare_cached("SELECT id, urls, created_at FROM cdn_invalidations WHERE company_id = ?1 AND id = ?2")?
                .query_row(params![company_id, id], |r| {
                    Ok(CdnInvalidation {
                        id: r.get(0)?,
                        urls: r.get::<_, String>(1)?.lines().map(str::to_owned).collect(),
                        created_at: r.get(2)?,
                    })
                })
                .optional()?)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use crate::catalog::{Catalog, SeedCompany, SeedData, SeedUser};

    fn company(id: i64, name: &str) -> SeedCompany {
        SeedCompany {
            id,
            name: name.into(),
            root_path: format!("{name}/"),
            expires: None,
            folders: vec![],
            metadata_fields: Vec::new(),
        }
    }

    #[tokio::test]
    async fn invalidations_are_kept_per_company() {
        let (catalog, _worker) = Catalog::open_in_memory().expect("open");
        let seed = SeedData {
            companies: vec![company(6, "A"), company(21, "B")],
            users: vec![SeedUser {
                email: "u@ips.test".into(),
                password_hash: "$argon2id$fake".into(),
                user_type: "IpsAdmin".into(),
                first_name: String::new(),
                last_name: String::new(),
                companies: vec![6],
            }],
            ..SeedData::default()
        };
        catalog.apply_seed(seed).await.expect("seed");
        let user = catalog
            .user_profile_by_email("u@ips.test".into())
            .await
            .expect("read")
            .expect("the user")
            .id;
        let urls = vec!["http://h/is/image/A/a".to_owned(), "http://h/is/image/A/b".to_owned()];
        let id = catalog
            .record_cdn_invalidation(6, user, urls.clone())
            .await
            .expect("record");
        let found = catalog.cdn_invalidation(6, id).await.expect("read").expect("found");
        assert_eq!((found.id, found.urls), (id, urls.clone()));
        assert_eq!(catalog.cdn_invalidation(21, id).await.expect("read"), None);
        assert!(matches!(
            catalog.record_cdn_invalidation(999, user, urls).await,
            Err(crate::catalog::Error::CompanyNotFound)
        ));
    }
}
