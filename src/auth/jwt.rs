//! HS256 JSON Web Tokens (RFC 7519 with an RFC 2104 HMAC-SHA256, RFC 7515
//! compact form): signing and checking, without opinions about claims.
//! Kameleoon's bearer tokens and SharinPix's `Token token=` both use it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// HMAC-SHA256 of `message` under `key` (RFC 2104; a key longer than the
/// 64-byte block is hashed first).
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > block.len() {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.map(|b| b ^ byte);
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(message).finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

/// A compact token `header.payload.signature` signed with `key`.
pub fn sign(header: &[u8], payload: &[u8], key: &[u8]) -> String {
    let signed = format!("{}.{}", URL_SAFE_NO_PAD.encode(header), URL_SAFE_NO_PAD.encode(payload));
    let mac = URL_SAFE_NO_PAD.encode(hmac_sha256(key, signed.as_bytes()));
    format!("{signed}.{mac}")
}

/// A token taken apart, its signature not yet checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parts<'a> {
    /// The decoded header (JSON).
    pub header: Vec<u8>,
    /// The decoded payload (JSON claims).
    pub payload: Vec<u8>,
    signed: &'a str,
    signature: Vec<u8>,
}

impl<'a> Parts<'a> {
    /// Splits and decodes a compact token; `None` if it is not one.
    pub fn parse(token: &'a str) -> Option<Parts<'a>> {
        let (signed, mac) = token.rsplit_once('.')?;
        let (header, payload) = signed.split_once('.')?;
        Some(Parts {
            header: URL_SAFE_NO_PAD.decode(header).ok()?,
            payload: URL_SAFE_NO_PAD.decode(payload).ok()?,
            signed,
            signature: URL_SAFE_NO_PAD.decode(mac).ok()?,
        })
    }

    /// Whether `key` made the signature (compared in constant time).
    pub fn signed_with(&self, key: &[u8]) -> bool {
        bool::from(self.signature.ct_eq(&hmac_sha256(key, self.signed.as_bytes())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2: a short key.
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        // Test case 6: a 131-byte key, hashed first.
        let mac = hmac_sha256(&[0xaa; 131], b"Test Using Larger Than Block-Size Key - Hash Key First");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    }

    #[test]
    fn tokens_round_trip_and_refuse_other_keys() {
        let token = sign(br#"{"alg":"HS256"}"#, br#"{"iss":"x"}"#, b"secret");
        let parts = Parts::parse(&token).expect("parts");
        assert_eq!(parts.payload, br#"{"iss":"x"}"#);
        assert!(parts.signed_with(b"secret"));
        assert!(!parts.signed_with(b"other"));
        assert!(Parts::parse("a.b").is_none() && Parts::parse("!.!.!").is_none());
    }
}
