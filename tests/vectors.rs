//! The public cross-SDK CloudFront signing vectors (tests/vectors/README.md): exact policy bytes,
//! exact RSA signatures, verifiable ECDSA signatures, and the error cases.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use cfsign::keys::PrivateKey;
use cfsign::sign::{encoding, Conditions, HashAlgorithm, Policy, Signer, VerifyOptions};
use serde_json::Value;

fn vectors() -> Vec<Value> {
    let text = std::fs::read_to_string(dir().join("test-cases.json")).unwrap();
    serde_json::from_str::<Vec<Value>>(&text).unwrap()
}

fn dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors"))
}

fn key(case: &Value) -> Arc<PrivateKey> {
    let file = case["input"]["privateKeyFile"].as_str().unwrap();
    let pem = std::fs::read_to_string(dir().join(file)).unwrap();
    Arc::new(PrivateKey::from_pem(&pem, None).unwrap())
}

fn signer(case: &Value) -> Signer {
    let input = &case["input"];
    let signer = Signer::new(key(case), input["keyPairId"].as_str().unwrap()).unwrap();
    // The vectors use CloudFront's implicit SHA-1 for both key types.
    signer.with_hash(HashAlgorithm::Sha1)
}

fn policy(case: &Value) -> Policy {
    let input = &case["input"];
    Policy {
        resource: input["resource"].as_str().unwrap().to_owned(),
        expires: input["expirationDate"].as_u64().unwrap(),
        starts: input["activeDate"].as_u64(),
        source_ip: input["ipRange"].as_str().map(str::to_owned),
    }
}

fn conditions(case: &Value) -> Conditions {
    let input = &case["input"];
    Conditions {
        expires: input["expirationDate"].as_u64().unwrap(),
        starts: input["activeDate"].as_u64(),
        source_ip: input["ipRange"].as_str().map(str::to_owned),
    }
}

fn query_params(url: &str) -> BTreeMap<String, String> {
    url.split_once('?')
        .map(|(_, q)| q)
        .unwrap_or("")
        .split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap();
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

fn is_error_case(case: &Value) -> bool {
    case["expected"]["error"].as_bool() == Some(true)
}

#[test]
fn there_are_twelve_vectors() {
    assert_eq!(vectors().len(), 12);
}

#[test]
fn policy_json_is_byte_identical() {
    for case in vectors().iter().filter(|c| !is_error_case(c)) {
        assert_eq!(
            policy(case).to_json(),
            case["expected"]["policyJson"].as_str().unwrap(),
            "{}",
            case["id"]
        );
    }
}

#[test]
fn signatures_match_or_verify() {
    for case in vectors().iter().filter(|c| !is_error_case(c)) {
        let expected = &case["expected"];
        let json = expected["policyJson"].as_str().unwrap();
        let ours = encoding::encode(&signer(case).sign_policy(json.as_bytes()).unwrap());
        let theirs = expected["signature"]
            .as_str()
            .or_else(|| expected["cookies"]["CloudFront-Signature"].as_str())
            .unwrap();
        let public = key(case).public_key().unwrap();
        if expected["signatureAlgorithm"] == "RSA-SHA1" {
            assert_eq!(ours, theirs, "{}", case["id"]);
        } else {
            // ECDSA is randomised: their signature must verify, and so must ours.
            for signature in [&ours, &theirs.to_owned()] {
                let url = format!(
                    "{}?Expires={}&Signature={signature}&Key-Pair-Id={}",
                    case["input"]["resource"].as_str().unwrap(),
                    case["input"]["expirationDate"],
                    case["input"]["keyPairId"].as_str().unwrap()
                );
                let verdict = cfsign::sign::verify_url(
                    &url,
                    &public,
                    &VerifyOptions {
                        at: 0,
                        client_ip: None,
                        key_pair_id: case["input"]["keyPairId"].as_str().map(str::to_owned),
                    },
                );
                assert!(verdict.accepted, "{} {verdict:#?}", case["id"]);
            }
        }
    }
}

#[test]
fn signed_urls_carry_the_expected_parameters() {
    for case in vectors()
        .iter()
        .filter(|c| c["expected"]["queryParams"].is_object())
    {
        let input = &case["input"];
        let resource = input["resource"].as_str().unwrap();
        if case["id"].as_str().unwrap().starts_with("json-injection") {
            continue; // covered by `injection_attempts_cannot_widen_the_policy`
        }
        let (url, pattern) = match case["expected"]["applyTo"].as_str() {
            Some(url) => (url, Some(resource)),
            None => (resource, None),
        };
        let signed = signer(case)
            .sign_url(url, pattern, &conditions(case))
            .unwrap();
        let params = query_params(&signed);
        for (name, value) in case["expected"]["queryParams"].as_object().unwrap() {
            assert_eq!(
                params.get(name),
                Some(&value.as_str().unwrap().to_owned()),
                "{}",
                case["id"]
            );
        }
        let signature = case["expected"]["signature"].as_str().unwrap();
        if case["expected"]["signatureAlgorithm"] == "RSA-SHA1" {
            assert_eq!(params["Signature"], signature, "{}", case["id"]);
        }
        let canned = params.contains_key("Expires");
        assert_eq!(canned, !params.contains_key("Policy"), "{}", case["id"]);
    }
}

#[test]
fn cookies_are_identical() {
    for case in vectors()
        .iter()
        .filter(|c| c["expected"]["cookies"].is_object())
    {
        let cookies = signer(case)
            .signed_cookies(
                case["input"]["resource"].as_str().unwrap(),
                &conditions(case),
            )
            .unwrap();
        let ours: BTreeMap<&str, &str> = cookies.pairs().into_iter().collect();
        let theirs: BTreeMap<&str, &str> = case["expected"]["cookies"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str().unwrap()))
            .collect();
        assert_eq!(ours, theirs, "{}", case["id"]);
    }
}

#[test]
fn error_cases_are_refused_with_the_expected_words() {
    let case = vectors()
        .into_iter()
        .find(|c| c["id"] == "error-active-after-expiration")
        .unwrap();
    let err = signer(&case)
        .sign_url(
            case["input"]["resource"].as_str().unwrap(),
            None,
            &Conditions {
                expires: case["input"]["expirationDate"].as_u64().unwrap(),
                starts: case["input"]["activeDate"].as_u64(),
                source_ip: None,
            },
        )
        .unwrap_err()
        .to_string();
    for word in case["expected"]["errorContains"].as_array().unwrap() {
        assert!(err.contains(word.as_str().unwrap()), "{err}");
    }
}

#[test]
fn injection_attempts_cannot_widen_the_policy() {
    let find = |id: &str| vectors().into_iter().find(|c| c["id"] == id).unwrap();

    // A quote in the URL is percent-encoded, so the signed resource is still that one URL.
    let case = find("json-injection-resource-url");
    let url = case["input"]["resource"].as_str().unwrap();
    let signed = signer(&case)
        .sign_url(url, None, &conditions(&case))
        .unwrap();
    assert!(signed.starts_with("https://example.com/file%22%2C%22Resource%22%3A%22*%22"));
    assert!(!signed.contains('"'));
    // As a resource pattern it is refused outright.
    let err = signer(&case)
        .sign_url("https://example.com/file", Some(url), &conditions(&case))
        .unwrap_err();
    assert!(err.to_string().contains("quotes"), "{err}");

    // An IP range that is not a CIDR is refused.
    let case = find("json-injection-ip-range");
    let err = signer(&case)
        .sign_url(
            case["input"]["resource"].as_str().unwrap(),
            None,
            &conditions(&case),
        )
        .unwrap_err();
    assert!(err.to_string().contains("not an IPv4 address"), "{err}");
}
