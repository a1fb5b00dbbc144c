//! Upload URLs: what lets a signed URL write, and nothing else.
//!
//! A signature covers the URL, not the HTTP method, so cfsign's distribution product refuses
//! writes under `/uploads/*` at the edge (a CloudFront Function) unless the URL is an *upload
//! URL*: signed with a canned policy (whose signature covers the exact URL, query included) and
//! carrying [`UPLOAD_MARKER`] in its query. A download URL cannot be turned into one (adding
//! the marker breaks its signature), and signed cookies or custom policies (which can grant
//! wildcards) cannot write at all. An upload URL may also bind one content type
//! ([`CONTENT_TYPE_PARAMETER`]): the edge then refuses a write whose `Content-Type` is another
//! (415), on top of the team's `AllowedUploadContentTypes`. See
//! `products/cloudfront-distribution/README.md`.

use super::{resource, SignError};

/// The query parameter that makes a canned-policy signed URL an upload URL.
pub const UPLOAD_MARKER: &str = "cfsign-upload=1";

/// The query parameter naming the one content type an upload URL may write (percent-encoded).
pub const CONTENT_TYPE_PARAMETER: &str = "cfsign-content-type";

/// The query parameter's name.
const MARKER_NAME: &str = "cfsign-upload";

/// `url` with the upload marker (and `content_type`, when given) in its query, normalised as
/// it will be signed. A URL that already carries either parameter is refused: the caller would
/// sign something other than it meant.
pub fn mark(url: &str, content_type: Option<&str>) -> Result<String, SignError> {
    let normalised = resource::normalize_url(url)?;
    let query = normalised
        .split_once('?')
        .map(|(_, q)| q)
        .unwrap_or_default();
    let taken = query
        .split('&')
        .filter_map(|pair| pair.split('=').next())
        .find(|name| *name == MARKER_NAME || *name == CONTENT_TYPE_PARAMETER);
    if let Some(name) = taken {
        return Err(SignError::AlreadyUploadUrl {
            url: url.to_owned(),
            parameter: name.to_owned(),
        });
    }
    let separator = if normalised.contains('?') { '&' } else { '?' };
    let mut out = format!("{normalised}{separator}{UPLOAD_MARKER}");
    if let Some(content_type) = content_type {
        let media_type = media_type(content_type)?;
        out.push_str(&format!(
            "&{CONTENT_TYPE_PARAMETER}={}",
            media_type.replace('/', "%2F").replace('+', "%2B")
        ));
    }
    Ok(out)
}

/// `content_type` as the edge compares it: one exact media type (`type/subtype`, lower case,
/// no parameters and no wildcard), the form the product's `AllowedUploadContentTypes` takes.
fn media_type(content_type: &str) -> Result<String, SignError> {
    let lower = content_type.trim().to_ascii_lowercase();
    let token = |part: &str| {
        part.starts_with(|c: char| c.is_ascii_alphanumeric())
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-'))
    };
    match lower.split_once('/') {
        Some((kind, subtype)) if token(kind) && token(subtype) => Ok(lower),
        _ => Err(SignError::ContentType(content_type.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marker_joins_the_query() {
        assert_eq!(
            mark("https://cdn.example.com/uploads/a b.png", None).unwrap(),
            "https://cdn.example.com/uploads/a%20b.png?cfsign-upload=1"
        );
        assert_eq!(
            mark("https://cdn.example.com/uploads/a.png?v=2", None).unwrap(),
            "https://cdn.example.com/uploads/a.png?v=2&cfsign-upload=1"
        );
    }

    #[test]
    fn a_content_type_is_bound_encoded() {
        assert_eq!(
            mark("https://cdn.example.com/uploads/a.svg", Some("Image/SVG+xml")).unwrap(),
            "https://cdn.example.com/uploads/a.svg?cfsign-upload=1&cfsign-content-type=image%2Fsvg%2Bxml"
        );
    }

    #[test]
    fn a_content_type_is_one_exact_media_type() {
        for bad in [
            "image/*",
            "image",
            "text/html; charset=utf-8",
            "/png",
            "a/b c",
            "",
        ] {
            let err = mark("https://cdn.example.com/uploads/a", Some(bad)).unwrap_err();
            assert!(matches!(err, SignError::ContentType(_)), "{bad}: {err}");
        }
    }

    #[test]
    fn a_url_already_marked_is_refused() {
        for url in [
            "https://cdn.example.com/uploads/a.png?cfsign-upload=0",
            "https://cdn.example.com/uploads/a.png?cfsign-content-type=text%2Fhtml",
        ] {
            let err = mark(url, None).unwrap_err();
            assert!(err.to_string().contains("cfsign-"), "{err}");
        }
    }
}
