//! cfsign against the reference signers: botocore (Python), `@aws-sdk/cloudfront-signer`
//! (JavaScript) and an independent verifier built on Python `cryptography`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use crate::support::peers;
use cfsign::keys::{self, KeyType, PrivateKey, PublicKey};
use cfsign::sign::{
    normalize_url, verify_url, Conditions, HashAlgorithm, Outcome, Signer, VerifyOptions,
};
use serde_json::{json, Value};

const KEY_PAIR_ID: &str = "K2JCJMDEHXQW5F";
const EXPIRES: u64 = 1_893_456_000; // 2030-01-01
const STARTS: u64 = 1_861_920_000; // 2029-01-01

/// A key written to a temporary directory, for the peers to read.
struct TestKey {
    key: Arc<PrivateKey>,
    private_path: PathBuf,
    public_path: PathBuf,
    public: PublicKey,
    _dir: tempfile::TempDir,
}

fn test_key(key_type: KeyType) -> TestKey {
    let dir = tempfile::tempdir().unwrap();
    let key = keys::generate(key_type).unwrap();
    let private_path = dir.path().join("private_key.pem");
    let public_path = dir.path().join("public_key.pem");
    std::fs::write(&private_path, key.to_pkcs8_pem().unwrap().as_bytes()).unwrap();
    let public = key.public_key().unwrap();
    std::fs::write(&public_path, public.to_pem()).unwrap();
    TestKey {
        key: Arc::new(key),
        private_path,
        public_path,
        public,
        _dir: dir,
    }
}

fn rsa() -> &'static TestKey {
    static KEY: OnceLock<TestKey> = OnceLock::new();
    KEY.get_or_init(|| test_key(KeyType::Rsa2048))
}

fn ecdsa() -> &'static TestKey {
    static KEY: OnceLock<TestKey> = OnceLock::new();
    KEY.get_or_init(|| test_key(KeyType::EcdsaP256))
}

fn signer(key: &TestKey) -> Signer {
    Signer::new(key.key.clone(), KEY_PAIR_ID).unwrap()
}

fn request(key: &TestKey, url: &str) -> Value {
    json!({
        "op": "url",
        "url": url,
        "key_pair_id": KEY_PAIR_ID,
        "private_key": key.private_path,
        "expires": EXPIRES,
    })
}

/// Splits a signed URL into what precedes the signing parameters and the parameters.
fn split(url: &str) -> (String, BTreeMap<String, String>) {
    let names = [
        "Expires=",
        "Policy=",
        "Signature=",
        "Key-Pair-Id=",
        "Hash-Algorithm=",
    ];
    let start = names
        .iter()
        .filter_map(|name| {
            url.find(&format!("?{name}"))
                .or(url.find(&format!("&{name}")))
        })
        .min()
        .expect("a signed URL");
    let params = url[start + 1..]
        .split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap();
            (k.to_owned(), v.to_owned())
        })
        .collect();
    (url[..start].to_owned(), params)
}

fn accepted_by_cfsign(url: &str, key: &TestKey) -> bool {
    let verdict = verify_url(
        url,
        &key.public,
        &VerifyOptions {
            at: STARTS + 60,
            client_ip: None,
            key_pair_id: Some(KEY_PAIR_ID.to_owned()),
        },
    );
    verdict
        .checks
        .iter()
        .all(|check| check.outcome != Outcome::Fail)
}

/// URLs that need no normalisation: every signer must produce the same bytes.
const CANONICAL_URLS: [&str; 4] = [
    "https://d111111abcdef8.cloudfront.net/image.jpg",
    "https://d111111abcdef8.cloudfront.net/uploads/a%20b/c.png?size=large&v=2",
    "http://cdn.example.com/",
    "https://cdn.example.com/videos/intro.mp4?token=a+b",
];

/// URLs with spaces, unicode, reserved characters and queries that need encoding.
const TRICKY_URLS: [&str; 8] = [
    "https://cdn.example.com/my file.jpg",
    "https://cdn.example.com/caf\u{e9}/\u{65e5}\u{672c}.png",
    "https://cdn.example.com/a+b:c@d,e;f=g$h&i.txt",
    "https://cdn.example.com/%7euser/x%3ay.txt",
    "https://cdn.example.com/100%.txt",
    "https://cdn.example.com/search?q=hello world&lang=fr's",
    "https://cdn.example.com/path?a=%2f&b=x+y&&c",
    "https://cdn.example.com/(draft)!*~'.pdf",
];

#[test]
fn canned_urls_are_byte_identical_to_botocore() {
    for url in CANONICAL_URLS {
        let ours = signer(rsa())
            .sign_url(url, None, &Conditions::expiring_at(EXPIRES))
            .unwrap();
        assert_eq!(ours, peers::botocore_sign(&request(rsa(), url)), "{url}");
    }
}

#[test]
fn botocore_signs_our_normal_form_exactly_as_we_do() {
    // The encoding rule in one sentence: normalise, then sign what botocore would sign.
    for url in TRICKY_URLS {
        let normal = normalize_url(url).unwrap();
        assert_eq!(
            normalize_url(&normal).unwrap(),
            normal,
            "normal form is stable: {url}"
        );
        let ours = signer(rsa())
            .sign_url(url, None, &Conditions::expiring_at(EXPIRES))
            .unwrap();
        assert_eq!(
            ours,
            peers::botocore_sign(&request(rsa(), &normal)),
            "{url}"
        );
    }
}

#[test]
fn urls_match_the_javascript_signer_including_its_path_encoding() {
    for url in CANONICAL_URLS.iter().chain(TRICKY_URLS.iter()) {
        let ours = signer(rsa())
            .sign_url(url, None, &Conditions::expiring_at(EXPIRES))
            .unwrap();
        let theirs = peers::js_sign(&request(rsa(), url));
        assert_eq!(split(&ours), split(&theirs), "{url}");
    }
}

#[test]
fn botocore_leaves_tricky_urls_unencoded_so_clients_would_get_a_403() {
    // botocore signs the raw string; the client sends it percent-encoded, so the signature no
    // longer covers what CloudFront sees. This is why cfsign normalises first.
    let url = "https://cdn.example.com/my file.jpg";
    let theirs = peers::botocore_sign(&request(rsa(), url));
    assert!(theirs.starts_with("https://cdn.example.com/my file.jpg?Expires="));
    let as_sent = theirs.replace(' ', "%20");
    assert!(!accepted_by_cfsign(&as_sent, rsa()));
    assert!(!peers::independently_valid(&as_sent, &rsa().public_path));
}

#[test]
fn custom_policies_match_javascript_and_verify_with_botocore() {
    let url = "https://cdn.example.com/reports/q3.pdf";
    let conditions = Conditions {
        expires: EXPIRES,
        starts: Some(STARTS),
        source_ip: Some("203.0.113.0/24".into()),
    };
    let ours = signer(rsa()).sign_url(url, None, &conditions).unwrap();
    let mut req = request(rsa(), url);
    req["starts"] = json!(STARTS);
    req["ip"] = json!("203.0.113.0/24");
    // Same condition order as the JavaScript signer: identical policy and signature.
    assert_eq!(split(&ours), split(&peers::js_sign(&req)));
    // botocore orders the conditions differently; its URL is still one cfsign accepts.
    let boto = peers::botocore_sign(&req);
    assert!(boto.contains("Policy="));
    let verdict = verify_url(
        &boto,
        &rsa().public,
        &VerifyOptions {
            at: STARTS + 60,
            client_ip: Some("203.0.113.9".parse().unwrap()),
            key_pair_id: Some(KEY_PAIR_ID.to_owned()),
        },
    );
    assert!(verdict.accepted, "{verdict:#?}");
    assert!(peers::independently_valid(&ours, &rsa().public_path));
}

#[test]
fn bare_ip_addresses_become_slash_32_like_the_peers() {
    let url = "https://cdn.example.com/a.jpg";
    let conditions = Conditions {
        expires: EXPIRES,
        starts: None,
        source_ip: Some("198.51.100.7".into()),
    };
    let ours = signer(rsa()).sign_url(url, None, &conditions).unwrap();
    let mut req = request(rsa(), url);
    req["ip"] = json!("198.51.100.7");
    assert_eq!(split(&ours), split(&peers::js_sign(&req)));
}

#[test]
fn sha256_rsa_signatures_match_javascript() {
    let url = "https://cdn.example.com/a.jpg";
    let ours = signer(rsa())
        .with_hash(HashAlgorithm::Sha256)
        .sign_url(url, None, &Conditions::expiring_at(EXPIRES))
        .unwrap();
    let mut req = request(rsa(), url);
    req["hash"] = json!("sha256");
    assert_eq!(split(&ours), split(&peers::js_sign(&req)));
    assert!(ours.ends_with("&Hash-Algorithm=SHA256"));
    assert!(peers::independently_valid(&ours, &rsa().public_path));
}

#[test]
fn cookies_match_javascript() {
    for (resource, ip) in [
        ("https://cdn.example.com/a.jpg", None),
        ("https://cdn.example.com/gallery/*", Some("10.0.0.0/8")),
    ] {
        let conditions = Conditions {
            expires: EXPIRES,
            starts: None,
            source_ip: ip.map(str::to_owned),
        };
        let ours = signer(rsa()).signed_cookies(resource, &conditions).unwrap();
        let mut req = request(rsa(), resource);
        req["op"] = json!("cookies");
        req["ip"] = json!(ip);
        // The JavaScript signer returns CloudFront-Expires as a number.
        let theirs: BTreeMap<String, Value> = serde_json::from_str(&peers::js_sign(&req)).unwrap();
        let theirs: BTreeMap<String, String> = theirs
            .into_iter()
            .map(|(k, v)| (k, v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
            .collect();
        let ours: BTreeMap<String, String> = ours
            .pairs()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        // The JavaScript signer makes a wildcard resource with no IP canned; with an IP both
        // agree on a custom policy.
        assert_eq!(ours, theirs, "{resource}");
    }
}

#[test]
fn ecdsa_urls_verify_across_implementations() {
    let url = "https://cdn.example.com/video.mp4";
    for hash in [HashAlgorithm::Sha256, HashAlgorithm::Sha1] {
        let ours = signer(ecdsa())
            .with_hash(hash)
            .sign_url(url, None, &Conditions::expiring_at(EXPIRES))
            .unwrap();
        assert!(
            peers::independently_valid(&ours, &ecdsa().public_path),
            "{hash}"
        );
        let mut req = request(ecdsa(), url);
        req["hash"] = json!(if hash == HashAlgorithm::Sha256 {
            "sha256"
        } else {
            "sha1"
        });
        let theirs = peers::js_sign(&req);
        assert!(accepted_by_cfsign(&theirs, ecdsa()), "{hash}: {theirs}");
        let boto = peers::botocore_sign(&req);
        assert!(accepted_by_cfsign(&boto, ecdsa()), "{hash}: {boto}");
    }
    // The default for ECDSA is SHA-256, as AWS CLI v2 signs.
    assert_eq!(signer(ecdsa()).hash(), HashAlgorithm::Sha256);
}

#[test]
fn keys_in_every_pem_form_sign_identically() {
    let code = format!(
        r#"
from cryptography.hazmat.primitives import serialization as s
key = s.load_pem_private_key(open({path:?}, "rb").read(), password=None)
print(key.private_bytes(s.Encoding.PEM, s.PrivateFormat.TraditionalOpenSSL, s.NoEncryption()).decode(), end="|")
print(key.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.BestAvailableEncryption(b"correct horse")).decode())
"#,
        path = rsa().private_path.to_str().unwrap()
    );
    let out = peers::python_snippet(&code);
    let (pkcs1, encrypted) = out.split_once('|').unwrap();
    assert!(pkcs1.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
    assert!(encrypted.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));

    let reference = signer(rsa()).sign_policy(b"policy").unwrap();
    let from_pkcs1 = PrivateKey::from_pem(pkcs1, None).unwrap();
    let from_encrypted = PrivateKey::from_pem(encrypted, Some(b"correct horse")).unwrap();
    for key in [from_pkcs1, from_encrypted] {
        let signature = Signer::new(Arc::new(key), KEY_PAIR_ID)
            .unwrap()
            .sign_policy(b"policy")
            .unwrap();
        assert_eq!(signature, reference);
    }
    assert!(matches!(
        PrivateKey::from_pem(encrypted, None),
        Err(cfsign::keys::KeyError::PassphraseRequired)
    ));
    assert!(matches!(
        PrivateKey::from_pem(encrypted, Some(b"wrong")),
        Err(cfsign::keys::KeyError::DecryptionFailed)
    ));
}

#[test]
fn sec1_ec_keys_load() {
    let code = format!(
        r#"
from cryptography.hazmat.primitives import serialization as s
key = s.load_pem_private_key(open({path:?}, "rb").read(), password=None)
print(key.private_bytes(s.Encoding.PEM, s.PrivateFormat.TraditionalOpenSSL, s.NoEncryption()).decode())
"#,
        path = ecdsa().private_path.to_str().unwrap()
    );
    let sec1 = peers::python_snippet(&code);
    assert!(sec1.starts_with("-----BEGIN EC PRIVATE KEY-----"));
    let key = PrivateKey::from_pem(&sec1, None).unwrap();
    assert_eq!(key.public_key().unwrap().to_pem(), ecdsa().public.to_pem());
}
