//! The fetch allow list (`--fetch-allow`): which hosts and addresses the
//! outbound client may reach.
//!
//! An entry is one of
//! - a hostname, matched exactly and without regard to ASCII case
//!   (`images.example.com`);
//! - `*.` and a domain, matching every name under the domain but not the
//!   domain itself (`*.example.com` matches `a.example.com` and
//!   `a.b.example.com`, not `example.com`);
//! - an IP address (`192.0.2.7`, `::1`) or a CIDR range (`10.1.0.0/16`,
//!   `fd00::/8`), which must have no bits set past its prefix;
//! - `loopback`: `127.0.0.0/8`, `::1` and the name `localhost`;
//!
//! each optionally followed by `:PORT`, which limits it to that port
//! (`[…]` around an IPv6 address or range that has a port:
//! `[::1]:8080`, `[fd00::/8]:443`). Without a port an entry allows every
//! port. How names and addresses combine is `Policy::addresses`'s rule.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// An entry that is not one of the accepted forms.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("fetch allow entry \"{entry}\": {reason}")]
pub struct AllowError {
    /// The entry as given.
    pub entry: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// The hosts and addresses outbound requests may go to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllowList {
    entries: Vec<Entry>,
    /// The entries as given, for `Display`.
    given: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    pattern: Pattern,
    /// `None`: every port.
    port: Option<u16>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Pattern {
    /// A hostname, lower case, without a trailing dot.
    Name(String),
    /// `.example.com` for `*.example.com`.
    Suffix(String),
    /// An address range; a single address is a full-length prefix.
    Net { base: IpAddr, prefix: u8 },
}

impl AllowList {
    /// Parses `--fetch-allow` entries. An empty list allows nothing.
    pub fn parse<I, S>(entries: I) -> Result<AllowList, AllowError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut list = AllowList {
            entries: Vec::new(),
            given: Vec::new(),
        };
        for entry in entries {
            let entry = entry.as_ref();
            let error = |reason| AllowError {
                entry: entry.to_owned(),
                reason,
            };
            list.entries.extend(parse_entry(entry).map_err(error)?);
            list.given.push(entry.to_owned());
        }
        Ok(list)
    }

    /// The default: loopback addresses and `localhost` only.
    pub fn loopback() -> AllowList {
        AllowList {
            entries: loopback(None),
            given: vec!["loopback".to_owned()],
        }
    }

    /// Whether a name entry (exact or wildcard) lists `name` for `port`.
    /// `name` is compared without regard to ASCII case and a trailing dot.
    pub fn lists_name(&self, name: &str, port: u16) -> bool {
        let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
        self.for_port(port).any(|p| match p {
            Pattern::Name(n) => *n == name,
            Pattern::Suffix(s) => name.len() > s.len() && name.ends_with(s.as_str()),
            Pattern::Net { .. } => false,
        })
    }

    /// Whether an address entry allows `ip` on `port`. An IPv4-mapped IPv6
    /// address (`::ffff:10.0.0.1`) counts as the IPv4 address it maps.
    pub fn allows_address(&self, ip: IpAddr, port: u16) -> bool {
        let ip = ip.to_canonical();
        self.for_port(port).any(|p| match *p {
            Pattern::Net { base, prefix } => in_range(ip, base, prefix),
            _ => false,
        })
    }

    /// Whether any entry is an address or range, so that an unlisted name
    /// could still be allowed by what it resolves to.
    pub fn has_addresses(&self) -> bool {
        self.entries.iter().any(|e| matches!(e.pattern, Pattern::Net { .. }))
    }

    fn for_port(&self, port: u16) -> impl Iterator<Item = &Pattern> {
        self.entries
            .iter()
            .filter(move |e| e.port.is_none_or(|p| p == port))
            .map(|e| &e.pattern)
    }
}

impl Default for AllowList {
    fn default() -> Self {
        AllowList::loopback()
    }
}

impl fmt::Display for AllowList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.given.is_empty() {
            return f.write_str("(nothing)");
        }
        f.write_str(&self.given.join(", "))
    }
}

fn loopback(port: Option<u16>) -> Vec<Entry> {
    [
        Pattern::Net {
            base: IpAddr::V4(Ipv4Addr::new(127, 0, 0, 0)),
            prefix: 8,
        },
        Pattern::Net {
            base: IpAddr::V6(Ipv6Addr::LOCALHOST),
            prefix: 128,
        },
        Pattern::Name("localhost".to_owned()),
    ]
    .into_iter()
    .map(|pattern| Entry { pattern, port })
    .collect()
}

/// One entry: its patterns (several for `loopback`), or why it is refused.
fn parse_entry(entry: &str) -> Result<Vec<Entry>, &'static str> {
    if entry.is_empty() {
        return Err("empty entry");
    }
    if entry.trim() != entry {
        return Err("white space around the entry");
    }
    let (host, port) = split_port(entry)?;
    if host.eq_ignore_ascii_case("loopback") {
        return Ok(loopback(port));
    }
    // Names are kept as URLs' are compared: lower case, no trailing dot.
    let name = |n: &str| n.strip_suffix('.').unwrap_or(n).to_ascii_lowercase();
    let pattern = if let Some(domain) = host.strip_prefix("*.") {
        check_name(domain)?;
        Pattern::Suffix(format!(".{}", name(domain)))
    } else if host.contains('*') {
        return Err("a wildcard may only be a whole first label, as in *.example.com");
    } else if let Some(net) = parse_net(host)? {
        net
    } else {
        check_name(host)?;
        Pattern::Name(name(host))
    };
    Ok(vec![Entry { pattern, port }])
}

/// Splits off `:PORT`. A bare IPv6 address or range has colons of its own,
/// so it takes a port only inside brackets.
fn split_port(entry: &str) -> Result<(&str, Option<u16>), &'static str> {
    if let Some(rest) = entry.strip_prefix('[') {
        let (inside, after) = rest.split_once(']').ok_or("unclosed [")?;
        let port = match after {
            "" => None,
            _ => Some(parse_port(after.strip_prefix(':').ok_or("text after ]")?)?),
        };
        if !inside.contains(':') {
            return Err("[…] is only for IPv6 addresses");
        }
        return Ok((inside, port));
    }
    match entry.matches(':').count() {
        0 => Ok((entry, None)),
        1 => {
            let (host, port) = entry.split_once(':').ok_or("bad port")?;
            Ok((host, Some(parse_port(port)?)))
        }
        // A bare IPv6 address or range.
        _ => Ok((entry, None)),
    }
}

/// A port, 1 to 65535, in decimal digits only.
pub(super) fn parse_port(port: &str) -> Result<u16, &'static str> {
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err("the port is not a number");
    }
    match port.parse::<u16>() {
        Ok(0) | Err(_) => Err("the port must be 1 to 65535"),
        Ok(p) => Ok(p),
    }
}

/// An address or CIDR range, `None` if `host` is neither.
fn parse_net(host: &str) -> Result<Option<Pattern>, &'static str> {
    let (addr, prefix) = match host.split_once('/') {
        Some((addr, prefix)) => (addr, Some(prefix)),
        None => (host, None),
    };
    let Ok(base) = addr.parse::<IpAddr>() else {
        if prefix.is_some() || host.contains(':') {
            return Err("not an IP address or CIDR range");
        }
        return Ok(None);
    };
    let width = if base.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix {
        None => width,
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => match p.parse::<u8>() {
            Ok(n) if n <= width => n,
            _ => return Err("the prefix length is larger than the address"),
        },
        Some(_) => return Err("the prefix length is not a number"),
    };
    if masked(base, prefix) != bits(base) {
        return Err("the address has bits set past the prefix length");
    }
    Ok(Some(Pattern::Net { base, prefix }))
}

/// A hostname as the allow list and URLs take it: dot-separated labels of
/// ASCII letters, digits, `-` and `_`, at most 253 characters, and a last
/// label that is neither all digits nor `0x` and hex digits (a browser
/// would read the name as an IPv4 address in another form: `127.1`,
/// `0x7f.0.0.1`). A trailing dot is allowed.
pub(super) fn check_name(name: &str) -> Result<(), &'static str> {
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() || name.len() > 253 {
        return Err("not a hostname");
    }
    for label in name.split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err("a hostname label is empty or longer than 63 characters");
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err("a hostname has only ASCII letters, digits, - and _ (give an IDN in its xn-- form)");
        }
    }
    let last = name.rsplit('.').next().unwrap_or_default().to_ascii_lowercase();
    let hex = last
        .strip_prefix("0x")
        .is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
    if hex || last.bytes().all(|b| b.is_ascii_digit()) {
        return Err("not a valid IPv4 address (give four decimal parts)");
    }
    Ok(())
}

/// An address's bits, IPv4 in the low 32.
fn bits(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(u32::from(v4)),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

/// An address's bits with everything past `prefix` cleared.
fn masked(ip: IpAddr, prefix: u8) -> u128 {
    let width: u32 = if ip.is_ipv4() { 32 } else { 128 };
    let host_bits = width - u32::from(prefix);
    match host_bits {
        128 => 0,
        n => (bits(ip) >> n) << n,
    }
}

/// Whether `ip` is in `base/prefix` (same family only).
fn in_range(ip: IpAddr, base: IpAddr, prefix: u8) -> bool {
    ip.is_ipv4() == base.is_ipv4() && masked(ip, prefix) == masked(base, prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(entries: &[&str]) -> AllowList {
        AllowList::parse(entries).expect("valid entries")
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("an address")
    }

    #[test]
    fn the_default_is_loopback_only() {
        let l = AllowList::default();
        assert!(l.allows_address(ip("127.0.0.1"), 80));
        assert!(l.allows_address(ip("127.255.0.9"), 8080));
        assert!(l.allows_address(ip("::1"), 443));
        assert!(l.allows_address(ip("::ffff:127.0.0.1"), 443), "IPv4-mapped loopback");
        assert!(l.lists_name("localhost", 1));
        assert!(l.lists_name("LocalHost.", 1));
        for other in ["10.0.0.1", "0.0.0.0", "::", "::2", "::ffff:10.0.0.1", "128.0.0.1"] {
            assert!(!l.allows_address(ip(other), 80), "{other}");
        }
        assert!(!l.lists_name("localhost.example.com", 80));
        assert!(!l.lists_name("example.com", 80));
        assert_eq!(l, list(&["loopback"]));
        assert_eq!(l.to_string(), "loopback");
    }

    #[test]
    fn names_and_wildcards() {
        let l = list(&["Images.Example.com.", "*.cdn.example.net."]);
        assert!(l.lists_name("images.example.com", 80));
        assert!(l.lists_name("IMAGES.EXAMPLE.COM.", 443));
        assert!(
            !l.lists_name("x.images.example.com", 80),
            "an exact name is not a suffix"
        );
        assert!(!l.lists_name("images.example.com.evil.test", 80));
        assert!(l.lists_name("a.cdn.example.net", 80));
        assert!(l.lists_name("a.b.cdn.example.net", 80));
        assert!(
            !l.lists_name("cdn.example.net", 80),
            "the wildcard needs a label of its own"
        );
        assert!(
            !l.lists_name("evilcdn.example.net", 80),
            "a suffix matches whole labels"
        );
        assert!(!l.has_addresses());
        assert!(!l.allows_address(ip("127.0.0.1"), 80), "listing names adds no loopback");
    }

    #[test]
    fn addresses_and_ranges() {
        let l = list(&["192.0.2.7", "10.1.0.0/16", "fd00::/8", "2001:db8::1"]);
        assert!(l.allows_address(ip("192.0.2.7"), 80));
        assert!(!l.allows_address(ip("192.0.2.8"), 80));
        assert!(l.allows_address(ip("10.1.255.255"), 80));
        assert!(!l.allows_address(ip("10.2.0.0"), 80));
        assert!(l.allows_address(ip("fdff::1"), 80));
        assert!(!l.allows_address(ip("fe00::1"), 80));
        assert!(l.allows_address(ip("2001:db8::1"), 80));
        assert!(!l.allows_address(ip("2001:db8::2"), 80));
        assert!(!l.allows_address(ip("::ffff:10.2.0.1"), 80));
        assert!(l.allows_address(ip("::ffff:10.1.0.1"), 80));
        assert!(l.has_addresses());
        let all = list(&["0.0.0.0/0", "::/0"]);
        assert!(all.allows_address(ip("203.0.113.9"), 1) && all.allows_address(ip("2001:db8::9"), 1));
    }

    #[test]
    fn ports_limit_an_entry() {
        let l = list(&[
            "localhost:8080",
            "192.0.2.1:443",
            "[::1]:9000",
            "[fd00::/8]:443",
            "*.example.com:8443",
            "loopback:7000",
        ]);
        assert!(l.lists_name("localhost", 8080) && l.lists_name("localhost", 7000));
        assert!(!l.lists_name("localhost", 80));
        assert!(l.allows_address(ip("192.0.2.1"), 443) && !l.allows_address(ip("192.0.2.1"), 80));
        assert!(l.allows_address(ip("::1"), 9000) && l.allows_address(ip("::1"), 7000));
        assert!(!l.allows_address(ip("::1"), 9001));
        assert!(l.allows_address(ip("fd12::1"), 443) && !l.allows_address(ip("fd12::1"), 80));
        assert!(l.lists_name("a.example.com", 8443) && !l.lists_name("a.example.com", 443));
        assert!(l.allows_address(ip("127.0.0.5"), 7000) && !l.allows_address(ip("127.0.0.5"), 7001));
    }

    #[test]
    fn bad_entries_are_refused_by_name() {
        for bad in [
            "",
            " localhost",
            "exa mple.com",
            "*.",
            "*example.com",
            "a.*.example.com",
            "*",
            "10.0.0.1/8",
            "10.0.0.0/33",
            "10.0.0.0/",
            "10.0.0.0/x",
            "fd00::1/8",
            "::1/129",
            "256.0.0.1",
            "1.2.3",
            "0x7f.0.0.1",
            "localhost:0",
            "localhost:65536",
            "localhost:",
            "localhost:http",
            "[::1",
            "[::1]x",
            "[localhost]:80",
            "bücher.example",
            "a..b",
            "http://example.com",
            "example.com/path",
            "fe80::1%eth0",
        ] {
            let err = AllowList::parse(["localhost", bad]).expect_err(bad);
            assert_eq!(err.entry, bad, "the error names the bad entry");
            assert!(err.to_string().contains(&format!("\"{bad}\"")), "{err}");
        }
        let err = AllowList::parse(["10.0.0.1/8"]).expect_err("host bits");
        assert_eq!(
            err.to_string(),
            "fetch allow entry \"10.0.0.1/8\": the address has bits set past the prefix length"
        );
    }

    #[test]
    fn an_empty_list_allows_nothing() {
        let l = list(&[]);
        assert!(!l.lists_name("localhost", 80) && !l.allows_address(ip("127.0.0.1"), 80));
        assert_eq!(l.to_string(), "(nothing)");
    }
}
