//! `POST /oauth/token` and bearer tokens: the client credentials grant
//! gives a two-hour HS256 JWT signed with a per-process key; every other
//! endpoint takes it in `Authorization: Bearer`. A token names its client,
//! which must still exist when the token is used (a reset may change the
//! clients); nothing about tokens is stored.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::auth::jwt;

use super::{Caller, Error, Kameleoon};

/// How long a token is valid (Kameleoon: two hours, no refresh token).
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(2 * 60 * 60);

/// The JWT header every token has.
const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;
/// The `iss` claim.
const ISSUER: &str = "ips-emulator";

/// A token request's form fields.
#[derive(Clone, Debug, Default)]
pub struct TokenRequest {
    /// `grant_type`: only `client_credentials`.
    pub grant_type: Option<String>,
    /// `client_id`.
    pub client_id: Option<String>,
    /// `client_secret`.
    pub client_secret: Option<String>,
}

/// A granted token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// The JWT.
    pub access_token: String,
    /// Seconds it is valid for.
    pub expires_in: u64,
}

/// Signs and checks tokens with a key made at start.
pub(super) struct Signer {
    key: [u8; 32],
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer").finish_non_exhaustive()
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Claims {
    iss: String,
    sub: String,
    iat: u64,
    exp: u64,
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl Signer {
    pub(super) fn random() -> Signer {
        let mut key = [0u8; 32];
        if getrandom::getrandom(&mut key).is_err() {
            // No system randomness: std's random hasher keys come from the
            // same source by another path; a key nobody can predict either way.
            use std::hash::{BuildHasher, Hasher};
            for chunk in key.chunks_mut(8) {
                let mut h = std::collections::hash_map::RandomState::new().build_hasher();
                h.write_u8(1);
                chunk.copy_from_slice(&h.finish().to_le_bytes());
            }
        }
        Signer { key }
    }

    fn sign(&self, client_id: &str, issued: u64) -> String {
        let claims = Claims {
            iss: ISSUER.to_owned(),
            sub: client_id.to_owned(),
            iat: issued,
            exp: issued + TOKEN_LIFETIME.as_secs(),
        };
        let payload = serde_json::to_vec(&claims).unwrap_or_default();
        jwt::sign(HEADER.as_bytes(), &payload, &self.key)
    }

    /// The client a token names, if it is this process's, unaltered and
    /// not expired at `now`.
    fn verify(&self, token: &str, now: u64) -> Option<String> {
        let parts = jwt::Parts::parse(token)?;
        if !parts.signed_with(&self.key) || parts.header != HEADER.as_bytes() {
            return None;
        }
        let claims: Claims = serde_json::from_slice(&parts.payload).ok()?;
        (claims.iss == ISSUER && now < claims.exp).then_some(claims.sub)
    }
}

impl Kameleoon {
    /// `POST /oauth/token`.
    pub async fn token(&self, req: TokenRequest) -> Result<Token, Error> {
        match req.grant_type.as_deref() {
            Some("client_credentials") => {}
            Some(other) => return Err(Error::BadRequest(format!("unsupported grant_type '{other}'"))),
            None => return Err(Error::BadRequest("grant_type is required".into())),
        }
        let (Some(client_id), Some(secret)) = (req.client_id, req.client_secret) else {
            return Err(Error::BadRequest("client_id and client_secret are required".into()));
        };
        let client = self.state.catalog.kameleoon_client(client_id.clone()).await?;
        let stored = client.as_ref().map(|c| c.secret_hash.clone());
        if !self.state.auth.check_secret(stored, secret).await? {
            return Err(Error::Unauthorized("invalid client credentials".into()));
        }
        Ok(Token {
            access_token: self.signer.sign(&client_id, now_secs()),
            expires_in: TOKEN_LIFETIME.as_secs(),
        })
    }

    /// The client an `Authorization` header's bearer token names, its
    /// request counted against the client's rate limits (429 over them).
    pub async fn caller(&self, authorization: Option<&str>) -> Result<Caller, Error> {
        let value = authorization.ok_or_else(|| Error::Unauthorized("an access token is required".into()))?;
        let token = value
            .split_once(' ')
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .ok_or_else(|| Error::Unauthorized("the Authorization header must be 'Bearer <token>'".into()))?;
        let client_id = self
            .signer
            .verify(token, now_secs())
            .ok_or_else(|| Error::Unauthorized("the access token is invalid or expired".into()))?;
        let client = self
            .state
            .catalog
            .kameleoon_client(client_id)
            .await?
            .ok_or_else(|| Error::Unauthorized("the access token's client no longer exists".into()))?;
        let generation = self.state.tasks.generation();
        self.limiter
            .admit(&client.client_id, std::time::Instant::now(), generation)
            .map_err(|over| {
                Error::TooManyRequests(format!(
                    "Rate limit exceeded: at most {} requests per {} for client '{}'; retry in {} s",
                    over.limit, over.per, client.client_id, over.retry_after
                ))
            })?;
        Ok(Caller { client })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_only_unaltered_unexpired_and_from_this_key() {
        let signer = Signer::random();
        let token = signer.sign("kameleoon-demo", 1_000);
        assert_eq!(signer.verify(&token, 1_001).as_deref(), Some("kameleoon-demo"));
        let expiry = 1_000 + TOKEN_LIFETIME.as_secs();
        assert_eq!(signer.verify(&token, expiry - 1).as_deref(), Some("kameleoon-demo"));
        assert_eq!(signer.verify(&token, expiry), None);
        assert_eq!(Signer::random().verify(&token, 1_001), None);
        let (head, rest) = token.split_once('.').expect("parts");
        let (_, mac) = rest.split_once('.').expect("parts");
        use base64::Engine;
        let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"iss":"ips-emulator","sub":"other","iat":1000,"exp":99999999999}"#);
        assert_eq!(signer.verify(&format!("{head}.{forged}.{mac}"), 1_001), None);
        assert_eq!(signer.verify("not.a.token", 1_001), None);
        assert_eq!(signer.verify("", 1_001), None);
    }
}
