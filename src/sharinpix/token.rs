//! `Authorization: Token token="<JWT>"`: an HS256 token whose `iss` names
//! one of an organization's secrets and which that secret signed. A token
//! without `iss` is tried against every secret (the documents' example
//! tokens have none). `exp` is optional and honoured; `iat` may be a little
//! ahead of the clock, as clients sign with `now + 1`. The claims that grant
//! rights are `admin: true` (everything in the organization) and
//! `abilities: {"<album>": {"Access": {"<ability>": true}}}`.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use super::{Caller, Error, SharinPix};
use crate::auth::jwt;

/// How far ahead of the clock `iat` may be, in seconds.
const IAT_SKEW: f64 = 60.0;

fn now_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

fn unauthorized(why: &str) -> Error {
    Error::Unauthorized(why.to_owned())
}

/// The token in an `Authorization` value: `Token token="…"` (quotes
/// optional), or `Bearer …`, as Rails reads it.
fn token_in(value: &str) -> Option<&str> {
    let (scheme, rest) = value.trim().split_once(' ')?;
    if scheme.eq_ignore_ascii_case("bearer") {
        let token = rest.trim();
        return (!token.is_empty()).then_some(token);
    }
    if !scheme.eq_ignore_ascii_case("token") {
        return None;
    }
    let rest = rest.trim_start().strip_prefix("token=")?;
    let token = rest.split(',').next()?.trim();
    let token = token
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(token);
    (!token.is_empty()).then_some(token)
}

/// The claims that matter, checked for their types.
#[derive(Debug, Default, PartialEq)]
struct Claims {
    iss: Option<String>,
    admin: bool,
    abilities: HashMap<String, Vec<String>>,
}

fn claims(payload: &[u8], now: f64) -> Result<Claims, Error> {
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(payload) else {
        return Err(unauthorized("the token's claims are not a JSON object"));
    };
    let number = |name: &str| match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(_) => Err(unauthorized(&format!("the token's {name} is not a number"))),
    };
    if number("exp")?.is_some_and(|exp| now >= exp) {
        return Err(unauthorized("the token has expired"));
    }
    if number("iat")?.is_some_and(|iat| iat > now + IAT_SKEW) {
        return Err(unauthorized("the token was issued in the future"));
    }
    let iss = match map.get("iss") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(unauthorized("the token's iss is not a string")),
    };
    Ok(Claims {
        iss,
        admin: map.get("admin") == Some(&Value::Bool(true)),
        abilities: abilities(&map)?,
    })
}

fn abilities(map: &Map<String, Value>) -> Result<HashMap<String, Vec<String>>, Error> {
    let bad = || unauthorized("the token's abilities are not {album: {Access: {ability: bool}}}");
    let mut out = HashMap::new();
    let albums = match map.get("abilities") {
        None | Some(Value::Null) => return Ok(out),
        Some(Value::Object(albums)) => albums,
        Some(_) => return Err(bad()),
    };
    for (album, rights) in albums {
        let Value::Object(rights) = rights else {
            return Err(bad());
        };
        let granted = match rights.get("Access") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Object(access)) => access
                .iter()
                .filter(|(_, v)| **v == Value::Bool(true))
                .map(|(k, _)| k.clone())
                .collect(),
            Some(_) => return Err(bad()),
        };
        out.insert(album.clone(), granted);
    }
    Ok(out)
}

/// A token for `claims` (a JSON object) signed with `secret`, with `iss`
/// set to `secret_id` if one is given and the claims name none, as the
/// official clients make them.
pub fn mint(claims: &str, secret_id: Option<&str>, secret: &str) -> Result<String, String> {
    let mut map: Map<String, Value> =
        serde_json::from_str(claims).map_err(|e| format!("the claims are not a JSON object: {e}"))?;
    if let Some(id) = secret_id {
        map.entry("iss").or_insert_with(|| Value::String(id.to_owned()));
    }
    let payload = serde_json::to_vec(&map).map_err(|e| e.to_string())?;
    Ok(jwt::sign(
        br#"{"typ":"JWT","alg":"HS256"}"#,
        &payload,
        secret.as_bytes(),
    ))
}

impl SharinPix {
    /// The caller an `Authorization` header names (401 if none does).
    pub async fn caller(&self, authorization: Option<&str>) -> Result<Caller, Error> {
        let token = authorization
            .and_then(token_in)
            .ok_or_else(|| unauthorized("the Authorization header must be 'Token token=\"<JWT>\"'"))?;
        let parts = jwt::Parts::parse(token).ok_or_else(|| unauthorized("the token is not a JWT"))?;
        let header: Value = serde_json::from_slice(&parts.header).map_err(|_| unauthorized("bad JWT header"))?;
        if header.get("alg").and_then(Value::as_str) != Some("HS256") {
            return Err(unauthorized("the token must be signed with HS256"));
        }
        let claims = claims(&parts.payload, now_secs())?;
        let secrets = match &claims.iss {
            Some(iss) => self
                .state
                .catalog
                .sharinpix_secret(iss.clone())
                .await?
                .into_iter()
                .collect(),
            None => self.state.catalog.sharinpix_secrets().await?,
        };
        let secret = secrets
            .into_iter()
            .find(|s| parts.signed_with(s.secret.as_bytes()))
            .ok_or_else(|| unauthorized("no secret of any organization signed the token"))?;
        Ok(Caller {
            org: secret.org,
            token: token.to_owned(),
            admin: claims.admin,
            abilities: claims.abilities,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_values() {
        assert_eq!(token_in(r#"Token token="a.b.c""#), Some("a.b.c"));
        assert_eq!(token_in("Token token=a.b.c"), Some("a.b.c"));
        assert_eq!(token_in(r#"token token="a.b.c", other="x""#), Some("a.b.c"));
        assert_eq!(token_in("Bearer a.b.c"), Some("a.b.c"));
        assert_eq!(token_in("Basic a.b.c"), None);
        assert_eq!(token_in(r#"Token token="""#), None);
        assert_eq!(token_in("Token"), None);
    }

    #[test]
    fn claims_are_checked() {
        let c = claims(
            br#"{"iss":"s","exp":2000,"iat":1000,"abilities":{"A":{"Access":{"see":true,"image_delete":false}}}}"#,
            1500.0,
        )
        .expect("claims");
        assert_eq!(c.iss.as_deref(), Some("s"));
        assert_eq!(c.abilities["A"], vec!["see".to_owned()]);
        assert!(!c.admin);
        assert!(claims(br#"{"admin":true}"#, 0.0).expect("admin").admin);
        for bad in [
            &br#"{"exp":1000}"#[..],
            br#"{"iat":2000}"#,
            br#"{"exp":"soon"}"#,
            br#"{"iss":1}"#,
            br#"{"abilities":[]}"#,
            br#"{"abilities":{"A":{"Access":1}}}"#,
            b"[]",
            b"not json",
        ] {
            assert!(claims(bad, 1500.0).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn minted_tokens_carry_iss_and_verify() {
        let token = mint(r#"{"admin":true}"#, Some("sharinpix-demo"), "ips-emulator").expect("token");
        let parts = jwt::Parts::parse(&token).expect("parts");
        assert!(parts.signed_with(b"ips-emulator"));
        let c = claims(&parts.payload, 0.0).expect("claims");
        assert_eq!(c.iss.as_deref(), Some("sharinpix-demo"));
        assert!(c.admin);
        assert!(mint("[]", None, "k").is_err());
        let bare = mint("{}", None, "k").expect("token");
        let parts = jwt::Parts::parse(&bare).expect("parts");
        assert_eq!(claims(&parts.payload, 0.0).expect("claims").iss, None);
    }
}
