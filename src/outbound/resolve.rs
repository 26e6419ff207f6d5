//! Which addresses a URL may be fetched from: the allow list applied to
//! the URL's host before any lookup, and to what a name resolves to.

use std::net::SocketAddr;

use super::{AllowList, FetchError, Host, Policy, Url};

/// What the allow list says about a URL's host before any lookup.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    /// An allowed address in the URL: connect to it, no lookup.
    Address(SocketAddr),
    /// A listed name: resolve it and use whatever it resolves to.
    Listed(String),
    /// An unlisted name: allowed only if everything it resolves to is.
    IfAddressesAllowed(String),
    /// Refused without a lookup.
    Refused,
}

impl Policy {
    /// The addresses `url` may be fetched from, in the resolver's order.
    ///
    /// The rule:
    /// - an address in the URL (`http://10.1.2.3/`) must be allowed by an
    ///   address or range entry; nothing is looked up;
    /// - a name listed by a hostname or wildcard entry is resolved, and
    ///   every address it resolves to may be used: whoever listed the name
    ///   trusts it;
    /// - any other name is allowed only if it resolves and *every* address
    ///   it resolves to is allowed by an address or range entry (else
    ///   `HostNotAllowed`, as for a name that does not resolve). So a name
    ///   that merely looks allowed (`127.0.0.1.example.test`) cannot lead
    ///   to an address that is not, and a list of ranges also admits the
    ///   names that point into them. With no address or range entry in the
    ///   list, such a name is refused without a lookup.
    ///
    /// An entry with a port admits only that port; the URL's port (or its
    /// scheme's default) is what is checked. The caller connects to the
    /// addresses returned, not to a new resolution of the name, so the
    /// answer checked is the answer used.
    pub async fn addresses(&self, url: &Url) -> Result<Vec<SocketAddr>, FetchError> {
        let refused = || FetchError::HostNotAllowed { host: url.host_port() };
        match verdict(&self.allow, url) {
            Verdict::Address(addr) => Ok(vec![addr]),
            Verdict::Refused => Err(refused()),
            Verdict::Listed(name) => {
                let cannot = |reason: String| FetchError::Connect {
                    host: url.host_port(),
                    reason,
                };
                let found = tokio::net::lookup_host((name.as_str(), url.port()))
                    .await
                    .map_err(|e| cannot(format!("cannot resolve the name: {e}")))?
                    .collect::<Vec<_>>();
                if found.is_empty() {
                    return Err(cannot("the name has no address".to_owned()));
                }
                Ok(found)
            }
            Verdict::IfAddressesAllowed(name) => {
                let found = tokio::net::lookup_host((name.as_str(), url.port()))
                    .await
                    .map_err(|_| refused())?
                    .collect::<Vec<_>>();
                all_allowed(&self.allow, url, found)
            }
        }
    }
}

fn verdict(allow: &AllowList, url: &Url) -> Verdict {
    let port = url.port();
    match url.host() {
        Host::Ip(ip) if allow.allows_address(*ip, port) => Verdict::Address(SocketAddr::new(*ip, port)),
        Host::Ip(_) => Verdict::Refused,
        Host::Name(name) if allow.lists_name(name, port) => Verdict::Listed(name.clone()),
        Host::Name(name) if allow.has_addresses() => Verdict::IfAddressesAllowed(name.clone()),
        Host::Name(_) => Verdict::Refused,
    }
}

/// `found` if it is not empty and the list allows every address in it.
fn all_allowed(allow: &AllowList, url: &Url, found: Vec<SocketAddr>) -> Result<Vec<SocketAddr>, FetchError> {
    if found.is_empty() || found.iter().any(|a| !allow.allows_address(a.ip(), a.port())) {
        return Err(FetchError::HostNotAllowed { host: url.host_port() });
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    fn list(entries: &[&str]) -> AllowList {
        AllowList::parse(entries).expect("list")
    }

    fn addr(s: &str) -> SocketAddr {
        s.parse().expect("socket address")
    }

    #[test]
    fn addresses_in_the_url_are_checked_without_a_lookup() {
        let loopback = AllowList::loopback();
        assert_eq!(
            verdict(&loopback, &url("http://127.0.0.1:81/")),
            Verdict::Address(addr("127.0.0.1:81"))
        );
        assert_eq!(
            verdict(&loopback, &url("https://[::1]/")),
            Verdict::Address(addr("[::1]:443"))
        );
        assert_eq!(verdict(&loopback, &url("http://10.0.0.1/")), Verdict::Refused);
        assert_eq!(verdict(&loopback, &url("http://[::ffff:10.0.0.1]/")), Verdict::Refused);
        assert_eq!(
            verdict(&list(&["localhost"]), &url("http://127.0.0.1/")),
            Verdict::Refused
        );
        assert_eq!(
            verdict(&list(&["127.0.0.1:8080"]), &url("http://127.0.0.1/")),
            Verdict::Refused
        );
    }

    #[test]
    fn listed_names_are_trusted_and_others_checked_by_address() {
        let loopback = AllowList::loopback();
        assert_eq!(
            verdict(&loopback, &url("http://LOCALHOST:9/")),
            Verdict::Listed("localhost".into())
        );
        assert_eq!(
            verdict(&loopback, &url("http://127.0.0.1.example.test/")),
            Verdict::IfAddressesAllowed("127.0.0.1.example.test".into())
        );
        let names_only = list(&["*.example.com"]);
        assert_eq!(
            verdict(&names_only, &url("http://a.example.com/")),
            Verdict::Listed("a.example.com".into())
        );
        assert_eq!(verdict(&names_only, &url("http://example.invalid/")), Verdict::Refused);
    }

    #[test]
    fn an_unlisted_name_needs_every_address_allowed() {
        let l = list(&["10.1.0.0/16"]);
        let u = url("http://images.internal/");
        let ok = vec![addr("10.1.2.3:80"), addr("10.1.9.9:80")];
        assert_eq!(all_allowed(&l, &u, ok.clone()), Ok(ok));
        let refused = Err(FetchError::HostNotAllowed {
            host: "images.internal:80".into(),
        });
        assert_eq!(
            all_allowed(&l, &u, vec![addr("10.1.2.3:80"), addr("10.2.0.1:80")]),
            refused
        );
        assert_eq!(all_allowed(&l, &u, vec![]), refused);
    }

    #[tokio::test]
    async fn resolution_follows_the_rule() {
        let policy = Policy::default();
        let found = policy.addresses(&url("http://localhost:9/")).await.expect("localhost");
        assert!(!found.is_empty() && found.iter().all(|a| a.port() == 9));
        assert_eq!(
            policy.addresses(&url("http://example.invalid/")).await,
            Err(FetchError::HostNotAllowed {
                host: "example.invalid:80".into()
            })
        );
        // `localhost` unlisted: its loopback addresses are outside 10/8.
        let ranges = Policy {
            allow: list(&["10.0.0.0/8"]),
            ..Policy::default()
        };
        assert_eq!(
            ranges.addresses(&url("http://localhost:9/")).await,
            Err(FetchError::HostNotAllowed {
                host: "localhost:9".into()
            })
        );
        // …and allowed by ranges that hold them.
        let ranges = Policy {
            allow: list(&["127.0.0.0/8", "::1"]),
            ..Policy::default()
        };
        assert!(ranges.addresses(&url("http://localhost:9/")).await.is_ok());
    }
}
