//! Fuzzing the parts of signing that read untrusted text: URL normalisation, policy documents
//! and `verify`. Bounded (a few thousand cases per property) so it runs in CI on every change;
//! `PROPTEST_CASES=100000 cargo test --lib sign::fuzz` runs longer.

use std::sync::{Arc, OnceLock};

use proptest::prelude::*;

use super::{
    encoding, normalize_url, verify_url, Conditions, Decision, Policy, Signer, VerifyOptions,
};
use crate::keys::{self, KeyType, PrivateKey, PublicKey};

const ID: &str = "K2JCJMDEHXQW5F";

fn key() -> &'static (Arc<PrivateKey>, PublicKey) {
    static KEY: OnceLock<(Arc<PrivateKey>, PublicKey)> = OnceLock::new();
    KEY.get_or_init(|| {
        let key = keys::generate(KeyType::EcdsaP256).unwrap();
        let public = key.public_key().unwrap();
        (Arc::new(key), public)
    })
}

/// URL-shaped text: a scheme, a host, path segments and a query of any printable characters,
/// percent escapes (valid or not) and a few non-ASCII ones.
fn url_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[ -~]{0,12}",
        "(%[0-9a-fA-F]{2}){1,4}",
        "%[0-9a-zA-Z]?",
        Just("..".to_owned()),
        Just("%2e%2E".to_owned()),
        Just("%2F".to_owned()),
        "[\u{80}-\u{10ffff}]{1,3}",
    ];
    (
        prop_oneof![Just("https://"), Just("http://"), Just("ftp://"), Just("")],
        "[a-z0-9.-]{0,20}",
        prop::collection::vec(piece.clone(), 0..6),
        prop::option::of(prop::collection::vec(piece, 0..4)),
    )
        .prop_map(|(scheme, host, segments, query)| {
            let mut url = format!("{scheme}{host}");
            for segment in segments {
                url.push('/');
                url.push_str(&segment);
            }
            if let Some(query) = query {
                url.push('?');
                url.push_str(&query.join("&"));
            }
            url
        })
}

/// Numbers of every size a policy or `Expires` could carry, as text.
fn epoch_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<u64>().prop_map(|n| n.to_string()),
        any::<i128>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|n| n.to_string()),
        "[0-9eE.+-]{1,30}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn normalising_any_text_never_panics(text in any::<String>(), url in url_like()) {
        let _ = normalize_url(&text);
        let _ = normalize_url(&url);
    }

    #[test]
    fn verify_never_panics_on_any_query(url in url_like(), expires in epoch_text(), signature in "[A-Za-z0-9~_-]{0,90}") {
        let (_, public) = key();
        for at in [0, 1_800_000_000, u64::MAX] {
            let options = VerifyOptions { at, client_ip: None, key_pair_id: Some(ID.into()) };
            let _ = verify_url(&url, public, &options);
            let signed = format!("{url}?Expires={expires}&Signature={signature}&Key-Pair-Id={ID}");
            let verdict = verify_url(&signed, public, &options);
            prop_assert_ne!(verdict.decision, Decision::Accepted);
        }
    }

    #[test]
    fn verify_never_panics_on_any_policy(
        resource in "[ -~]{0,40}",
        less in epoch_text(),
        greater in prop::option::of(epoch_text()),
        ip in prop::option::of("[ -~]{0,20}"),
        raw in any::<Vec<u8>>(),
    ) {
        let (_, public) = key();
        let mut condition = format!(r#""DateLessThan":{{"AWS:EpochTime":{less}}}"#);
        if let Some(greater) = greater {
            condition.push_str(&format!(r#","DateGreaterThan":{{"AWS:EpochTime":{greater}}}"#));
        }
        if let Some(ip) = ip {
            condition.push_str(&format!(r#","IpAddress":{{"AWS:SourceIp":{}}}"#, serde_json::json!(ip)));
        }
        let document = format!(r#"{{"Statement":[{{"Resource":{},"Condition":{{{condition}}}}}]}}"#, serde_json::json!(resource));
        for policy in [document.as_bytes(), raw.as_slice()] {
            let _ = Policy::from_json(policy);
            let url = format!(
                "https://h/a?Policy={}&Signature=AAAA&Key-Pair-Id={ID}",
                encoding::encode(policy)
            );
            for at in [0, 1_800_000_000, u64::MAX] {
                let options = VerifyOptions { at, client_ip: Some([203, 0, 113, 9].into()), key_pair_id: Some(ID.into()) };
                let verdict = verify_url(&url, public, &options);
                prop_assert_ne!(verdict.decision, Decision::Accepted);
            }
        }
    }

    #[test]
    fn what_is_signed_verifies_and_a_url_never_becomes_a_pattern(url in url_like(), ip in any::<bool>()) {
        let (private, public) = key();
        let signer = Signer::new(Arc::clone(private), ID).unwrap();
        let conditions = Conditions {
            expires: 2_000_000_000,
            starts: None,
            source_ip: ip.then(|| "203.0.113.0/24".to_owned()),
        };
        if let Ok(signed) = signer.sign_url(&url, None, &conditions) {
            let options = VerifyOptions { at: 1_900_000_000, client_ip: Some([203, 0, 113, 9].into()), key_pair_id: Some(ID.into()) };
            let verdict = verify_url(&signed, public, &options);
            prop_assert_eq!(verdict.decision, Decision::Accepted, "{:#?}", verdict);
            if let Some(policy) = verdict.policy.as_deref().filter(|_| ip) {
                let resource = Policy::from_json(policy.as_bytes()).unwrap().resource;
                prop_assert!(!resource.contains(['*', '?']), "{}", resource);
            }
        }
    }
}
