//! What may be signed: URL validation and normalisation, resource patterns, IP ranges and key
//! pair ids.
//!
//! # The encoding rule
//!
//! CloudFront compares the policy's resource with the URL it receives, byte for byte (a
//! wildcard aside). A URL is safe only if the string that is signed is the string every HTTP
//! client sends. cfsign therefore signs, and prints, one normal form of the URL:
//!
//! - scheme and host as given (a non-ASCII host is refused, with its punycode form suggested);
//! - each path segment is percent-decoded and re-encoded, leaving only `A-Z a-z 0-9 - _ . ! ~ *
//!   ' ( )` bare: spaces become `%20`, unicode becomes its UTF-8 escapes, `%7e` becomes `~`, and a
//!   segment whose escapes are malformed is encoded as it stands (its `%` becomes `%25`);
//! - each query key and value keeps its existing `%XX` escapes (upper-cased) and its `+`, and
//!   encodes everything else with the same set plus `'`; empty pairs are dropped and a bare key
//!   gets an `=`.
//!
//! That is exactly what `@aws-sdk/cloudfront-signer` does, so both produce identical URLs; a URL
//! already in this form is signed unchanged, exactly as botocore signs it. Clients leave such a
//! URL alone: it holds no character a browser, curl or an SDK would escape.

use std::net::Ipv4Addr;

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Query parameters CloudFront reserves for signatures; a URL carrying one is already signed.
pub const SIGNING_PARAMETERS: [&str; 5] = [
    "Expires",
    "Policy",
    "Signature",
    "Key-Pair-Id",
    "Hash-Algorithm",
];

/// Characters JavaScript's `encodeURIComponent` leaves bare.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// The query set also escapes `'`, as browsers do in query strings.
const QUERY_COMPONENT: &AsciiSet = &COMPONENT.add(b'\'');

/// Why a URL, pattern, range or id cannot be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResourceError {
    /// Not parseable as an absolute URL.
    #[error("`{url}` is not an absolute URL ({reason}); expected e.g. https://d111111abcdef8.cloudfront.net/path/file.jpg")]
    NotAUrl {
        /// The input.
        url: String,
        /// What the URL parser said.
        reason: String,
    },
    /// CloudFront serves signed content over http(s) only.
    #[error("`{url}` uses the scheme `{scheme}`; signed URLs must be https:// (or http://)")]
    Scheme {
        /// The input.
        url: String,
        /// The scheme it has.
        scheme: String,
    },
    /// Browsers never send the fragment, so it cannot be part of what is signed.
    #[error("`{0}` has a fragment (`#...`): browsers never send it to CloudFront, so it cannot be signed; remove it")]
    Fragment(String),
    /// The URL carries a parameter CloudFront reserves for signatures.
    #[error("`{url}` already carries the signing parameter `{parameter}`: sign the URL without its old signature")]
    AlreadySigned {
        /// The input.
        url: String,
        /// The reserved parameter found.
        parameter: String,
    },
    /// International domain names must be signed in their ASCII form.
    #[error("the host of `{url}` is not ASCII: sign it as `{ascii_host}` (the form clients send)")]
    NonAsciiHost {
        /// The input.
        url: String,
        /// The punycode host.
        ascii_host: String,
    },
    /// A resource pattern with characters CloudFront cannot match.
    #[error("resource pattern `{pattern}` {reason}")]
    Pattern {
        /// The input.
        pattern: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The URL is not covered by the resource pattern it is signed under.
    #[error(
        "`{url}` does not match the resource pattern `{pattern}`, so CloudFront would refuse it"
    )]
    OutsidePattern {
        /// The normalised URL.
        url: String,
        /// The pattern.
        pattern: String,
    },
    /// Not an IPv4 address or CIDR range.
    #[error("`{0}` is not an IPv4 address or CIDR range (e.g. 203.0.113.0/24); CloudFront policies accept IPv4 only")]
    IpRange(String),
    /// A custom policy's resource would be taken from a URL holding `*` or `?`, which CloudFront
    /// reads as wildcards (a `%2A` in the path decodes to `*`; the query starts with `?`).
    #[error("`{url}` holds `{character}`, which CloudFront reads as a wildcard in a custom policy's resource, so the signature would grant more than this URL; pass the pattern you mean to grant explicitly (`--resource` on the command line, `resource` in a recipe)")]
    WildcardInUrl {
        /// The normalised URL.
        url: String,
        /// The wildcard character found.
        character: char,
    },
    /// A path segment that is `.` or `..` (raw or percent-encoded), which clients and servers
    /// resolve differently, so a prefix check on it proves nothing.
    #[error("`{url}` has a `{segment}` path segment (raw or percent-encoded); sign the resolved path instead")]
    DotSegment {
        /// The input.
        url: String,
        /// The segment as written.
        segment: String,
    },
    /// A percent-encoded `/`, or a backslash raw or encoded, in a path segment: some clients and
    /// origins treat it as a separator, so the signed path and the served path could differ.
    #[error("`{url}` has a path separator inside a path segment (`%2F`, `%5C` or `\\`); sign the path with plain `/` separators")]
    EncodedSeparator {
        /// The input.
        url: String,
    },
    /// Not a CloudFront key id.
    #[error("`{0}` is not a CloudFront key pair id: expected upper-case letters and digits, like K2JCJMDEHXQW5F (the public key id in CloudFront)")]
    KeyPairId(String),
}

/// Validates `url` and returns the normal form that is signed and sent (see the module docs).
pub fn normalize_url(url: &str) -> Result<String, ResourceError> {
    let parsed = url::Url::parse(url).map_err(|err| ResourceError::NotAUrl {
        url: url.to_owned(),
        reason: err.to_string(),
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(ResourceError::Scheme {
            url: url.to_owned(),
            scheme: parsed.scheme().to_owned(),
        });
    }
    if url.contains('#') {
        return Err(ResourceError::Fragment(url.to_owned()));
    }
    let authority_start = url.find("//").map_or(0, |at| at + 2);
    let path_start = url[authority_start..]
        .find(['/', '?'])
        .map_or(url.len(), |at| authority_start + at);
    let (origin, rest) = url.split_at(path_start);
    if !origin.is_ascii() {
        return Err(ResourceError::NonAsciiHost {
            url: url.to_owned(),
            ascii_host: parsed.host_str().unwrap_or_default().to_owned(),
        });
    }
    let (path, query) = match rest.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (rest, None),
    };
    let mut out = String::with_capacity(url.len() + 16);
    out.push_str(origin);
    encode_path(url, path, &mut out)?;
    if let Some(query) = query {
        encode_query(url, query, &mut out)?;
    }
    Ok(out)
}

/// Re-encodes each path segment, refusing the segments a client or an origin could resolve to
/// another path than the one signed: `.`, `..` and encoded separators.
fn encode_path(url: &str, path: &str, out: &mut String) -> Result<(), ResourceError> {
    for (index, segment) in path.split('/').enumerate() {
        if index > 0 {
            out.push('/');
        }
        if segment.is_empty() {
            continue;
        }
        match decode_component(segment) {
            Some(decoded) => {
                if decoded == "." || decoded == ".." {
                    return Err(ResourceError::DotSegment {
                        url: url.to_owned(),
                        segment: segment.to_owned(),
                    });
                }
                if decoded.contains(['/', '\\']) {
                    return Err(ResourceError::EncodedSeparator {
                        url: url.to_owned(),
                    });
                }
                out.extend(utf8_percent_encode(&decoded, COMPONENT));
            }
            None => out.extend(utf8_percent_encode(segment, COMPONENT)),
        }
    }
    Ok(())
}

/// Errors when a normalised URL holds a character CloudFront reads as a wildcard in a custom
/// policy's `Resource`, so that a URL never silently becomes a pattern.
pub fn check_no_wildcards(url: &str) -> Result<(), ResourceError> {
    match url.chars().find(|c| matches!(c, '*' | '?')) {
        Some(character) => Err(ResourceError::WildcardInUrl {
            url: url.to_owned(),
            character,
        }),
        None => Ok(()),
    }
}

/// Percent-decodes like JavaScript's `decodeURIComponent`: `None` for malformed escapes or
/// escapes that are not UTF-8.
fn decode_component(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let well_formed = bytes.iter().enumerate().all(|(i, &b)| {
        b != b'%'
            || (bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    });
    if !well_formed {
        return None;
    }
    percent_decode_str(segment)
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

fn encode_query(url: &str, query: &str, out: &mut String) -> Result<(), ResourceError> {
    let mut first = true;
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if SIGNING_PARAMETERS.contains(&key) {
            return Err(ResourceError::AlreadySigned {
                url: url.to_owned(),
                parameter: key.to_owned(),
            });
        }
        out.push(if first { '?' } else { '&' });
        first = false;
        encode_query_component(key, out);
        out.push('=');
        encode_query_component(value, out);
    }
    Ok(())
}

/// Keeps `%XX` escapes (upper-cased) and `+`, encodes everything else.
fn encode_query_component(component: &str, out: &mut String) {
    let bytes = component.as_bytes();
    let mut plain_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let escape = bytes[i] == b'%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
        if escape || bytes[i] == b'+' {
            out.extend(utf8_percent_encode(
                &component[plain_start..i],
                QUERY_COMPONENT,
            ));
            let len = if escape { 3 } else { 1 };
            out.push_str(&component[i..i + len].to_ascii_uppercase());
            i += len;
            plain_start = i;
        } else {
            i += 1;
        }
    }
    out.extend(utf8_percent_encode(
        &component[plain_start..],
        QUERY_COMPONENT,
    ));
}

/// A validated resource pattern: `*` matches any run of characters, `?` exactly one.
#[derive(Debug, Clone)]
pub struct ResourcePattern {
    text: String,
    matcher: wildmatch::WildMatch,
}

impl ResourcePattern {
    /// Validates a pattern the way AWS CLI v2 does: printable ASCII, no quotes or backslashes,
    /// no whitespace, no fragment.
    pub fn new(pattern: &str) -> Result<Self, ResourceError> {
        let bad = |reason| ResourceError::Pattern {
            pattern: pattern.to_owned(),
            reason,
        };
        if pattern.is_empty() {
            return Err(bad("is empty"));
        }
        if !pattern.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(bad(
                "must be printable ASCII without spaces: percent-encode the path (%20 for a space)",
            ));
        }
        if pattern.contains(['"', '\\']) {
            return Err(bad("must not contain quotes or backslashes"));
        }
        if pattern.contains('#') {
            return Err(bad("must not contain a fragment (`#`)"));
        }
        Ok(ResourcePattern {
            text: pattern.to_owned(),
            matcher: wildmatch::WildMatch::new(pattern),
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether CloudFront would consider `url` covered by this pattern.
    pub fn matches(&self, url: &str) -> bool {
        self.matcher.matches(url)
    }

    /// Errors unless `url` is covered.
    pub fn check(&self, url: &str) -> Result<(), ResourceError> {
        if self.matches(url) {
            Ok(())
        } else {
            Err(ResourceError::OutsidePattern {
                url: url.to_owned(),
                pattern: self.text.clone(),
            })
        }
    }
}

/// Validates an IPv4 address or CIDR range and returns it in CIDR form (`/32` added to a bare
/// address, as botocore and the JavaScript signer do).
pub fn normalize_ip_range(range: &str) -> Result<String, ResourceError> {
    let bad = || ResourceError::IpRange(range.to_owned());
    match range.split_once('/') {
        Some((address, prefix_text)) => {
            address.parse::<Ipv4Addr>().map_err(|_| bad())?;
            let prefix: u8 = prefix_text.parse().map_err(|_| bad())?;
            // `prefix.to_string()` round-trip refuses `+8` and `08`, which `parse` accepts.
            if prefix > 32 || prefix.to_string() != prefix_text {
                return Err(bad());
            }
            Ok(range.to_owned())
        }
        None => {
            range.parse::<Ipv4Addr>().map_err(|_| bad())?;
            Ok(format!("{range}/32"))
        }
    }
}

/// Validates a CloudFront key pair id (public key id such as `K2JCJMDEHXQW5F`, or a legacy
/// `APKA...` key pair id): upper-case ASCII letters and digits.
pub fn validate_key_pair_id(id: &str) -> Result<(), ResourceError> {
    let valid = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if valid {
        Ok(())
    } else {
        Err(ResourceError::KeyPairId(id.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(url: &str) -> String {
        normalize_url(url).unwrap()
    }

    #[test]
    fn canonical_urls_are_unchanged() {
        for url in [
            "https://d111111abcdef8.cloudfront.net/image.jpg",
            "https://d111111abcdef8.cloudfront.net/image.jpg?size=large",
            "https://d1.cloudfront.net/a/b%20c/d.jpg?x=1&y=%2F",
            "https://d1.cloudfront.net",
            "https://d1.cloudfront.net/",
        ] {
            assert_eq!(norm(url), url);
        }
    }

    #[test]
    fn path_segments_are_decoded_and_reencoded() {
        assert_eq!(norm("https://h/my file.jpg"), "https://h/my%20file.jpg");
        assert_eq!(norm("https://h/caf\u{e9}.jpg"), "https://h/caf%C3%A9.jpg");
        assert_eq!(norm("https://h/a%7e.jpg"), "https://h/a~.jpg");
        assert_eq!(norm("https://h/a+b:c@d.jpg"), "https://h/a%2Bb%3Ac%40d.jpg");
        assert_eq!(norm("https://h/100%.jpg"), "https://h/100%25.jpg");
        assert_eq!(norm("https://h//double"), "https://h//double");
    }

    #[test]
    fn query_keeps_escapes_and_plus_and_encodes_the_rest() {
        assert_eq!(norm("https://h/a?q=a b"), "https://h/a?q=a%20b");
        assert_eq!(norm("https://h/a?q=a+b&x=%2f"), "https://h/a?q=a+b&x=%2F");
        assert_eq!(norm("https://h/a?it's=1"), "https://h/a?it%27s=1");
        assert_eq!(norm("https://h/a?flag&&b=2"), "https://h/a?flag=&b=2");
    }

    #[test]
    fn refuses_what_cloudfront_cannot_match() {
        assert!(matches!(
            normalize_url("ftp://h/a"),
            Err(ResourceError::Scheme { .. })
        ));
        assert!(matches!(
            normalize_url("https://h/a#top"),
            Err(ResourceError::Fragment(_))
        ));
        assert!(matches!(
            normalize_url("/relative"),
            Err(ResourceError::NotAUrl { .. })
        ));
        assert!(matches!(
            normalize_url("https://h/a?x=1&Signature=abc"),
            Err(ResourceError::AlreadySigned { parameter, .. }) if parameter == "Signature"
        ));
        assert!(matches!(
            normalize_url("https://b\u{fc}cher.example/a"),
            Err(ResourceError::NonAsciiHost { ascii_host, .. }) if ascii_host == "xn--bcher-kva.example"
        ));
    }

    #[test]
    fn dot_segments_and_encoded_separators_are_refused() {
        for url in [
            "https://h/teams/acme/../other/a.jpg",
            "https://h/teams/acme/%2e%2e/other/a.jpg",
            "https://h/teams/acme/%2E./other/a.jpg",
            "https://h/teams/./acme/a.jpg",
            "https://h/teams/acme/%2e",
        ] {
            assert!(
                matches!(normalize_url(url), Err(ResourceError::DotSegment { .. })),
                "{url}"
            );
        }
        for url in [
            "https://h/teams/acme%2F..%2Fother/a.jpg",
            "https://h/teams/acme%2fother",
            "https://h/teams/acme%5Cother",
        ] {
            assert!(
                matches!(
                    normalize_url(url),
                    Err(ResourceError::EncodedSeparator { .. })
                ),
                "{url}"
            );
        }
        // Dots inside a name, and encoded slashes in the query, are ordinary.
        assert_eq!(norm("https://h/a/..b/c..d/.e"), "https://h/a/..b/c..d/.e");
        assert_eq!(
            norm("https://h/a?next=%2F..%2Fb"),
            "https://h/a?next=%2F..%2Fb"
        );
    }

    #[test]
    fn wildcard_characters_in_a_url_are_found() {
        assert!(check_no_wildcards("https://h/teams/acme/a.jpg").is_ok());
        assert!(matches!(
            check_no_wildcards(&norm("https://h/teams/acme/%2A")),
            Err(ResourceError::WildcardInUrl { character: '*', .. })
        ));
        assert!(matches!(
            check_no_wildcards(&norm("https://h/a.jpg?size=1")),
            Err(ResourceError::WildcardInUrl { character: '?', .. })
        ));
    }

    #[test]
    fn patterns_match_like_cloudfront() {
        let pattern = ResourcePattern::new("https://h/teams/acme/*").unwrap();
        assert!(pattern.matches("https://h/teams/acme/a.jpg"));
        assert!(pattern.matches("https://h/teams/acme/x/y.jpg?size=1"));
        assert!(!pattern.matches("https://h/teams/other/a.jpg"));
        let one = ResourcePattern::new("https://h/img?.jpg").unwrap();
        assert!(one.matches("https://h/img1.jpg"));
        assert!(!one.matches("https://h/img12.jpg"));
        assert!(ResourcePattern::new("https://h/\"*").is_err());
        assert!(ResourcePattern::new("https://h/a b").is_err());
        assert!(ResourcePattern::new("https://h/caf\u{e9}").is_err());
    }

    #[test]
    fn ip_ranges_are_ipv4_cidrs() {
        assert_eq!(normalize_ip_range("192.0.2.1").unwrap(), "192.0.2.1/32");
        assert_eq!(normalize_ip_range("10.0.0.0/8").unwrap(), "10.0.0.0/8");
        for bad in [
            "2001:db8::/32",
            "10.0.0.0/33",
            "10.0.0/8",
            "10.0.0.0/",
            "x",
            "10.0.0.0/08",
        ] {
            assert!(normalize_ip_range(bad).is_err(), "{bad}");
        }
        let injection = "192.168.0.0/24\",\"IpAddress\":{\"AWS:SourceIp\":\"0.0.0.0/0";
        assert!(normalize_ip_range(injection).is_err());
    }

    #[test]
    fn key_pair_ids_are_upper_case_alphanumerics() {
        assert!(validate_key_pair_id("K2JCJMDEHXQW5F").is_ok());
        assert!(validate_key_pair_id("APKAEIBAERJR2EXAMPLE").is_ok());
        for bad in ["", "k2jc", "K2 X", "K\"", "K-1"] {
            assert!(validate_key_pair_id(bad).is_err(), "{bad}");
        }
    }
}
