//! The AWS host modules against the local emulator, driven through recipes and the CLI:
//! create, read back, update, error paths, dry-run, and no key material in any output.
//!
//! These run as the account root (the static `testing` key): each tests a host function on
//! fixtures of its own (buckets, stacks and secrets no product names), which no role the docs
//! describe may create. The recipes as users run them, with those roles' policies evaluated,
//! are in `lifecycle`, `access`, `faults`, `examples` and `docs`.

use crate::support;

use crate::support::emulator::Emulator;
use crate::support::recipe::{lines, run_recipe, stderr, stdout, unique};
use crate::support::roles::{cfsign_as, Identity};
use assert_cmd::Command;

#[test]
fn sts_reports_account_and_partition() {
    let (out, _dir) = run_recipe(
        "let id = sts::get_caller_identity(); print(id.account); print(id.partition);",
        &[],
    );
    assert_eq!(lines(&out), ["123456789012", "aws"]);
}

#[test]
fn templates_are_uploaded_once_per_content_hash() {
    let bucket = unique("artifacts");
    let (out, _dir) = run_recipe(
        &format!(
            r#"
            print(s3::create_bucket("{bucket}"));
            print(s3::create_bucket("{bucket}"));
            let first = s3::upload_template("{bucket}", "products/s3-bucket/template.yaml", "s3-bucket");
            let again = s3::upload_template("{bucket}", "products/s3-bucket/template.yaml", "s3-bucket");
            let other = s3::upload_template("{bucket}", "products/key-pair/template.yaml", "key-pair");
            print(first.uploaded); print(again.uploaded); print(first.key == again.key);
            print(other.key != first.key);
            let body = s3::get_object("{bucket}", first.key).body;
            print(body.contains("cfsign private bucket"));
            print(first.url.ends_with(first.key));
            "#
        ),
        &[],
    );
    assert_eq!(
        lines(&out),
        ["true", "false", "true", "false", "true", "true", "true", "true"]
    );
}

#[test]
fn a_stored_template_is_checked_against_its_hash_before_it_is_published() {
    let bucket = unique("artifacts");
    let (out, _dir) = run_recipe(
        &format!(
            r#"
            s3::create_bucket("{bucket}");
            let first = s3::upload_template("{bucket}", "products/s3-bucket/template.yaml", "s3-bucket");
            // Someone with write access to the bucket swaps the object under the same name.
            s3::put_object("{bucket}", first.key, "Resources: {{}}", #{{}});
            try {{
                s3::upload_template("{bucket}", "products/s3-bucket/template.yaml", "s3-bucket");
                print("published");
            }} catch (e) {{ print(e.code); print(e.message.contains("holds other content")); }}
            "#
        ),
        &[],
    );
    assert_eq!(lines(&out), ["InvalidInput", "true"]);
}

#[test]
fn signing_keys_are_written_only_to_cfsign_secrets_of_the_account() {
    let (out, _dir) = run_recipe(
        r#"
        let key = keys::generate("ecdsa-p256");
        for secret in ["prod/database-password",
                       "arn:aws:secretsmanager:us-east-1:999999999999:secret:cfsign/acme/signing-key-AbCdEf",
                       "arn:aws:secretsmanager:us-east-1:123456789012:secret:other/x-AbCdEf"] {
            try { secretsmanager::put_signing_key(secret, key, "K1", ["AWSCURRENT"]); print("written"); }
            catch (e) { print(e.code); }
        }
        "#,
        &[],
    );
    assert_eq!(lines(&out), ["NotAllowed", "NotAllowed", "NotAllowed"]);
    // Refused before any request: the emulator never saw a PutSecretValue.
    assert!(!Emulator::shared()
        .recorded_requests()
        .iter()
        .any(|r| r.operation.as_deref() == Some("PutSecretValue")
            && r.body.contains("prod/database-password")));
}

#[test]
fn objects_round_trip_and_missing_ones_read_as_unit() {
    let bucket = unique("objects");
    let (out, _dir) = run_recipe(
        &format!(
            r#"
            s3::create_bucket("{bucket}");
            s3::put_object("{bucket}", "uploads/a.txt", "hello", #{{ content_type: "text/plain" }});
            let got = s3::get_object("{bucket}", "uploads/a.txt");
            print(got.body); print(got.content_type);
            print(s3::head_object("{bucket}", "uploads/a.txt").content_length);
            s3::delete_object("{bucket}", "uploads/a.txt");
            print(s3::head_object("{bucket}", "uploads/a.txt") == ());
            try {{ s3::get_object("{bucket}", "uploads/a.txt") }} catch (e) {{ print(`${{e.service}} ${{e.code}}`) }}
            "#
        ),
        &[],
    );
    assert_eq!(
        lines(&out),
        ["hello", "text/plain", "5", "true", "S3 NoSuchKey"]
    );
}

#[test]
fn signing_keys_go_through_secret_versions_without_leaving_the_host() {
    let name = unique("cfsign/secret");
    let (out, _dir) = run_recipe(
        &format!(
            r#"
            let arn = secretsmanager::create_secret("{name}", "{{\"keyPairId\":\"\",\"privateKey\":\"\"}}");
            print(secretsmanager::get_signing_key(arn, "AWSCURRENT").key == ());
            let first = keys::generate();
            let v1 = secretsmanager::put_signing_key(arn, first, "KFIRST", ["AWSCURRENT"]);
            let next = keys::generate("ecdsa-p256");
            let v2 = secretsmanager::put_signing_key(arn, next, "KNEXT", ["AWSPENDING"]);
            let pending = secretsmanager::get_signing_key(arn, "AWSPENDING");
            print(pending.key_pair_id); print(pending.key);
            // The key read back signs URLs the original public key verifies.
            let url = sign::url(pending.key, pending.key_pair_id, "https://cdn.example.com/a.jpg", #{{ expires_in: 60 }});
            print(sign::verify(url, next.public_key_pem(), #{{ key_pair_id: "KNEXT" }}).accepted);
            // Promote: the pending version becomes current.
            secretsmanager::update_secret_version_stage(arn, "AWSCURRENT", #{{ move_to: v2, remove_from: v1 }});
            print(secretsmanager::get_signing_key(arn, "AWSCURRENT").key_pair_id);
            let versions = secretsmanager::describe_secret(arn).versions;
            print(versions[v2].contains("AWSCURRENT"));
            secretsmanager::tag_resource(arn, #{{ "cfsign:team": "demo" }});
            print(secretsmanager::describe_secret(arn).tags["cfsign:team"]);
            try {{ secretsmanager::describe_secret("does-not-exist") }} catch (e) {{ print(e.code) }}
            "#
        ),
        &[],
    );
    assert_eq!(
        lines(&out),
        [
            "true",
            "KNEXT",
            "<private key redacted>",
            "true",
            "KNEXT",
            "true",
            "demo",
            "ResourceNotFoundException"
        ]
    );
}

#[test]
fn stacks_deploy_update_report_outputs_fail_clearly_and_delete() {
    let stack = unique("demo-bucket");
    let team = unique("team").replace('-', "x");
    let template = "products/s3-bucket/template.yaml";
    let distribution = "arn:aws:cloudfront::123456789012:distribution/E2QWRUHEXAMPLE";
    let (out, _dir) = run_recipe(
        &format!(
            r#"
            let created = cloudformation::deploy("{stack}", "{template}", #{{ TeamName: "{team}" }}, #{{}});
            print(created.status); print(created.changed);
            print(created.outputs.BucketName == `cfsign-{team}-123456789012-us-east-1`);
            let updated = cloudformation::deploy("{stack}", "{template}",
                #{{ TeamName: "{team}", DistributionArn: "{distribution}" }}, #{{}});
            print(updated.status);
            print(cloudformation::outputs("{stack}").BucketArn == created.outputs.BucketArn);
            print(cloudformation::validate_template("{template}").description.contains("private bucket"));
            // The same bucket name from a second stack rolls back; the error names the
            // failing resource and the service's reason (from the stack's events).
            try {{
                cloudformation::deploy("{stack}-copy", "{template}", #{{ TeamName: "{team}" }}, #{{}});
            }} catch (e) {{
                print(`${{e.operation}} ${{e.code}}`);
                print(e.message.contains("ROLLBACK_COMPLETE: Bucket (AWS::S3::Bucket) CREATE_FAILED: "));
                print(e.message.contains("bucket name is not available"));
            }}
            cloudformation::delete_stack("{stack}");
            print(cloudformation::outputs("{stack}") == ());
            "#
        ),
        &[],
    );
    assert_eq!(
        lines(&out),
        [
            "CREATE_COMPLETE",
            "true",
            "true",
            "UPDATE_COMPLETE",
            "true",
            "true",
            "CreateStack StackFailed",
            "true",
            "true",
            "true"
        ]
    );
    assert!(
        stderr(&out).contains(&format!("stack {stack}: CREATE_COMPLETE")),
        "{}",
        stderr(&out)
    );
}

#[test]
fn dry_run_sends_no_mutating_request_and_prints_the_plan() {
    let bucket = unique("dryrun");
    let name = unique("cfsign/dryrun");
    let stack = unique("dryrun-stack");
    let recipe = format!(
        r#"
        s3::create_bucket("{bucket}");
        s3::put_object("{bucket}", "a.txt", "x", #{{}});
        let arn = secretsmanager::create_secret("{name}", "placeholder-value");
        secretsmanager::put_signing_key("{name}", keys::generate(), "KDRY", ["AWSPENDING"]);
        cloudformation::deploy("{stack}", "products/private-key-secret/template.yaml",
            #{{ TeamName: "dry", AutomationRoleArn: "arn:aws:iam::123456789012:role/a" }}, #{{}});
        "#
    );
    let (out, _dir) = run_recipe(&recipe, &["--dry-run"]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert!(
        text.contains("dry run: 5 change(s) would be made:"),
        "{text}"
    );
    for expected in [
        "1. S3 CreateBucket",
        "2. S3 PutObject",
        "3. SecretsManager CreateSecret",
        "4. SecretsManager PutSecretValue",
        "5. CloudFormation CreateStack",
    ] {
        assert!(text.contains(expected), "missing {expected}:\n{text}");
    }
    assert!(
        !text.contains("placeholder-value"),
        "secret values are redacted:\n{text}"
    );
    assert!(text.contains("<redacted>"));

    let touched: Vec<_> = Emulator::shared()
        .recorded_requests()
        .into_iter()
        .filter(|r| {
            [&bucket, &name, &stack]
                .iter()
                .any(|n| r.url.contains(n.as_str()) || r.body.contains(n.as_str()))
        })
        .collect();
    assert!(!touched.is_empty(), "the dry run made its read calls");
    let writes: Vec<_> = touched.iter().filter(|r| r.is_mutating()).collect();
    assert!(
        writes.is_empty(),
        "dry run sent mutating requests: {writes:#?}"
    );

    // The same recipe for real does write (so the check above can fail).
    let (out, _dir) = run_recipe(&recipe, &[]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let writes = Emulator::shared()
        .recorded_requests()
        .into_iter()
        .filter(|r| r.url.contains(bucket.as_str()) || r.body.contains(name.as_str()))
        .filter(|r| r.is_mutating())
        .count();
    assert!(writes >= 3, "{writes}");
}

#[test]
fn aws_errors_without_an_endpoint_are_reported_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("recipe.rhai");
    std::fs::write(&path, "sts::get_caller_identity()").unwrap();
    let out = Command::cargo_bin("cfsign")
        .unwrap()
        .args(["run", path.to_str().unwrap(), "--region", "us-east-1"])
        .args(["--endpoint-url", "http://127.0.0.1:9"])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_MAX_ATTEMPTS", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.starts_with("error: STS GetCallerIdentity failed: ConnectionError"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
}

#[test]
fn the_secret_product_deploys_and_holds_a_signing_key_written_by_the_host() {
    let stack = unique("secret-product");
    let team = unique("team").replace('-', "x");
    let (out, _dir) = run_recipe(
        &format!(
            r#"
            let stack = cloudformation::deploy("{stack}", "products/private-key-secret/template.yaml",
                #{{ TeamName: "{team}", AutomationRoleArn: "arn:aws:iam::123456789012:role/automation" }}, #{{}});
            let arn = stack.outputs.SecretArn;
            print(stack.outputs.SecretName);
            // Until the host writes it, the secret holds the template's empty placeholder.
            print(secretsmanager::get_signing_key(arn, "AWSCURRENT").key == ());
            let key = keys::generate();
            secretsmanager::put_signing_key(arn, key, "KPRODUCT", ["AWSCURRENT"]);
            print(secretsmanager::get_signing_key(arn, "AWSCURRENT").key_pair_id);
            // A stack update leaves the written key in place.
            cloudformation::deploy("{stack}", "products/private-key-secret/template.yaml",
                #{{ TeamName: "{team}", AutomationRoleArn: "arn:aws:iam::123456789012:role/other" }}, #{{}});
            print(secretsmanager::get_signing_key(arn, "AWSCURRENT").key_pair_id);
            "#
        ),
        &[],
    );
    assert_eq!(
        lines(&out),
        [
            format!("cfsign/{team}/signing-key"),
            "true".into(),
            "KPRODUCT".into(),
            "KPRODUCT".into()
        ]
    );
}

#[test]
fn the_key_pair_product_stages_a_second_key_that_cloudfront_reads_back() {
    let stack = unique("key-pair-product");
    let team = unique("team").replace('-', "x");
    let template = "products/key-pair/template.yaml";
    let (out, _dir) = run_recipe(
        &format!(
            r#"
            let first = keys::generate();
            let one = cloudformation::deploy("{stack}", "{template}",
                #{{ TeamName: "{team}", KeySlotAPublicKey: first.public_key_pem() }}, #{{}});
            let group = cloudfront::get_key_group(one.outputs.KeyGroupId);
            print(group.items == [one.outputs.KeySlotAPublicKeyId]);
            let key = cloudfront::get_public_key(one.outputs.KeySlotAPublicKeyId);
            print(key.encoded_key.trim() == first.public_key_pem().trim());
            // Stage a second key: the same group now trusts both.
            let next = keys::generate();
            let two = cloudformation::deploy("{stack}", "{template}",
                #{{ TeamName: "{team}", KeySlotAPublicKey: first.public_key_pem(),
                    KeySlotBPublicKey: next.public_key_pem() }}, #{{}});
            print(two.outputs.KeyGroupId == one.outputs.KeyGroupId);
            print(cloudfront::get_key_group(two.outputs.KeyGroupId).items.len());
            try {{ cloudfront::get_distribution("E0000000000000") }} catch (e) {{ print(e.code) }}
            "#
        ),
        &[],
    );
    assert_eq!(
        lines(&out),
        ["true", "true", "true", "2", "NoSuchDistribution"]
    );
}

#[test]
fn http_requests_return_every_status_and_fail_only_to_connect() {
    let bucket = unique("http");
    let endpoint = Emulator::shared().url.clone();
    let (out, _dir) = run_recipe(
        &format!(
            r#"
            s3::create_bucket("{bucket}");
            let url = "{endpoint}/{bucket}/uploads/hello.txt";
            print(http::put(url, "hello over http").status);
            // Anonymous reads of a private object are refused, as on S3; the object is there.
            print(http::get(url).status);
            print(http::head(url).status);
            print(s3::get_object("{bucket}", "uploads/hello.txt").body);
            print(http::get("{endpoint}/{bucket}/missing.txt").status);
            let custom = http::request("put", "{endpoint}/{bucket}/typed.json",
                #{{ headers: #{{ "Content-Type": "application/json" }}, body: "{{}}" }});
            print(custom.status);
            print(s3::get_object("{bucket}", "typed.json").content_type);
            // Another loopback port is not the emulator's edge: refused before connecting.
            try {{ http::get("http://127.0.0.1:9/") }} catch (e) {{ print(`${{e.service}} ${{e.code}}`) }}
            "#
        ),
        &[],
    );
    assert_eq!(
        lines(&out),
        [
            "200",
            "403",
            "403",
            "hello over http",
            "404",
            "200",
            "application/json",
            "HTTP NotAllowed"
        ]
    );
}

/// `cfsign` against the emulator as the account root, with no key from the environment.
fn cfsign_aws(args: &[&str]) -> std::process::Output {
    cfsign_as(
        Identity::Root("the host's own AWS calls, on fixtures"),
        args,
    )
}

#[test]
fn a_key_that_never_leaves_kms_signs_urls_and_cookies_cloudfront_accepts() {
    for key_type in ["rsa2048", "ecdsa-p256"] {
        let dir = tempfile::tempdir().unwrap();
        let out_dir = dir.path().join("keys");
        let created = cfsign_aws(&[
            "keygen",
            "--kms",
            "--type",
            key_type,
            "--out-dir",
            out_dir.to_str().unwrap(),
            "--json",
        ]);
        assert!(created.status.success(), "{}", stderr(&created));
        let report: serde_json::Value = serde_json::from_str(&stdout(&created)).unwrap();
        let arn = report["kms_key_arn"].as_str().unwrap().to_owned();
        assert!(arn.starts_with("arn:aws:kms:us-east-1:"), "{arn}");
        assert!(
            !out_dir.join("private_key.pem").exists(),
            "no private key exists outside KMS"
        );
        let public = out_dir.join("public_key.pem");

        let signed = cfsign_aws(&[
            "sign",
            "https://cdn.example.com/a.jpg",
            "--kms-key-id",
            &arn,
            "--key-pair-id",
            "KKMSKEY",
            "--expires-in",
            "5m",
        ]);
        assert!(signed.status.success(), "{key_type}: {}", stderr(&signed));
        let url = stdout(&signed).trim().to_owned();
        assert!(
            url.ends_with("&Key-Pair-Id=KKMSKEY&Hash-Algorithm=SHA256"),
            "{url}"
        );
        let verified = Command::cargo_bin("cfsign")
            .unwrap()
            .args(["verify", &url, "--key-pair-id", "KKMSKEY", "--public-key"])
            .arg(&public)
            .output()
            .unwrap();
        assert_eq!(
            verified.status.code(),
            Some(0),
            "{key_type}: {}",
            stdout(&verified)
        );
        assert!(
            support::peers::independently_valid(&url, &public),
            "{key_type}: {url}"
        );

        // A batch of unique URLs, and one scope signature for many.
        let batch = Command::cargo_bin("cfsign")
            .unwrap()
            .args(["sign", "--batch", "--kms-key-id", &arn, "--key-pair-id", "KKMSKEY", "--expires-in", "5m"])
            .args(["--endpoint-url", &Emulator::shared().url, "--region", "us-east-1"])
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .write_stdin("https://cdn.example.com/1.jpg\nhttps://cdn.example.com/2.jpg\nhttps://cdn.example.com/3.jpg\n")
            .output()
            .unwrap();
        assert!(batch.status.success(), "{}", stderr(&batch));
        for line in stdout(&batch).lines() {
            assert!(support::peers::independently_valid(line, &public), "{line}");
        }
        let cookies = cfsign_aws(&[
            "cookies",
            "https://cdn.example.com/gallery/*",
            "--kms-key-id",
            &arn,
            "--key-pair-id",
            "KKMSKEY",
            "--expires-in",
            "5m",
        ]);
        assert!(
            stdout(&cookies).contains("CloudFront-Hash-Algorithm=SHA256"),
            "{}",
            stderr(&cookies)
        );
        let sha1 = cfsign_aws(&[
            "sign",
            "https://cdn.example.com/a.jpg",
            "--kms-key-id",
            &arn,
            "--key-pair-id",
            "KKMSKEY",
            "--expires-in",
            "5m",
            "--hash",
            "sha1",
        ]);
        assert_eq!(sha1.status.code(), Some(2));
        assert!(
            stderr(&sha1).contains("cannot sign with SHA-1"),
            "{}",
            stderr(&sha1)
        );
    }
    let not_signing = cfsign_aws(&[
        "sign",
        "https://cdn.example.com/a.jpg",
        "--kms-key-id",
        "alias/does-not-exist",
        "--key-pair-id",
        "KKMSKEY",
        "--expires-in",
        "5m",
    ]);
    assert_eq!(not_signing.status.code(), Some(2));
    assert!(
        stderr(&not_signing).contains("opening the KMS key"),
        "{}",
        stderr(&not_signing)
    );
}

#[test]
fn sign_reads_its_key_from_the_teams_secret_with_no_key_file() {
    let name = unique("cfsign/signer");
    let dir = tempfile::tempdir().unwrap();
    let public = dir.path().join("public.pem");
    let (out, _recipe_dir) = run_recipe(
        &format!(
            r#"
            let arn = secretsmanager::create_secret("{name}", "{{\"keyPairId\":\"\",\"privateKey\":\"\"}}");
            let key = keys::generate("ecdsa-p256");
            secretsmanager::put_signing_key(arn, key, "KFROMSECRET", ["AWSCURRENT"]);
            print(key.public_key_pem());
            "#
        ),
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::write(&public, stdout(&out)).unwrap();
    let signed = cfsign_aws(&[
        "sign",
        "https://cdn.example.com/a.jpg",
        "--secret",
        &name,
        "--expires-in",
        "5m",
    ]);
    assert!(signed.status.success(), "{}", stderr(&signed));
    let url = stdout(&signed).trim().to_owned();
    assert!(
        url.ends_with("&Key-Pair-Id=KFROMSECRET&Hash-Algorithm=SHA256"),
        "{url}"
    );
    let verified = Command::cargo_bin("cfsign")
        .unwrap()
        .args([
            "verify",
            &url,
            "--key-pair-id",
            "KFROMSECRET",
            "--public-key",
        ])
        .arg(&public)
        .output()
        .unwrap();
    assert_eq!(verified.status.code(), Some(0), "{}", stdout(&verified));

    let cookies = cfsign_aws(&[
        "cookies",
        "https://cdn.example.com/*",
        "--secret",
        &name,
        "--expires-in",
        "5m",
    ]);
    assert!(
        stdout(&cookies).contains("CloudFront-Key-Pair-Id=KFROMSECRET"),
        "{}",
        stderr(&cookies)
    );
    let mismatch = cfsign_aws(&[
        "sign",
        "https://cdn.example.com/a.jpg",
        "--secret",
        &name,
        "--key-pair-id",
        "KOTHER",
        "--expires-in",
        "5m",
    ]);
    assert_eq!(mismatch.status.code(), Some(2));
    assert!(
        stderr(&mismatch).contains("is not the key pair id of the key in"),
        "{}",
        stderr(&mismatch)
    );
    let missing = cfsign_aws(&[
        "sign",
        "https://cdn.example.com/a.jpg",
        "--secret",
        "cfsign/no-such-team/signing-key",
        "--expires-in",
        "5m",
    ]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("ResourceNotFoundException"),
        "{}",
        stderr(&missing)
    );
    for out in [&signed, &cookies, &mismatch, &missing] {
        assert!(!stdout(out).contains("PRIVATE KEY") && !stderr(out).contains("PRIVATE KEY"));
    }
}

/// Runs `cfsign doctor URL --json` against the emulator; returns its exit code and diagnosis.
fn doctor(url: &str) -> (Option<i32>, serde_json::Value) {
    let out = cfsign_aws(&["doctor", url, "--json"]);
    let diagnosis = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("doctor printed no JSON ({e}): {}", stderr(&out)));
    (out.status.code(), diagnosis)
}

#[test]
fn doctor_names_the_cause_of_each_refusal_live() {
    let dir = tempfile::tempdir().unwrap();
    let keys = |name: &str| {
        let out_dir = dir.path().join(name);
        let made = cfsign_aws(&["keygen", "--out-dir", out_dir.to_str().unwrap()]);
        assert!(made.status.success(), "{}", stderr(&made));
        out_dir
    };
    let (trusted, untrusted) = (keys("trusted"), keys("untrusted"));
    let public_key = std::fs::read_to_string(trusted.join("public_key.pem")).unwrap();
    let team = unique("doctor").replace('-', "x");
    let bucket_stack = format!("{team}-bucket");
    let (out, _recipe) = run_recipe(
        &format!(
            r#"
            let bucket = cloudformation::deploy("{bucket_stack}", "products/s3-bucket/template.yaml",
                #{{ TeamName: "{team}" }}, #{{}});
            let keys = cloudformation::deploy("{team}-keys", "products/key-pair/template.yaml",
                #{{ TeamName: "{team}", KeySlotAPublicKey: vars.get("public_key", "") }}, #{{}});
            let cdn = cloudformation::deploy("{team}-cdn", "products/cloudfront-distribution/template.yaml",
                #{{ TeamName: "{team}", DomainName: "files.{team}.example.com",
                    CertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111",
                    BucketRegionalDomainName: bucket.outputs.BucketRegionalDomainName,
                    KeyGroupId: keys.outputs.KeyGroupId }}, #{{}});
            cloudformation::deploy("{bucket_stack}", "products/s3-bucket/template.yaml",
                #{{ TeamName: "{team}", DistributionArn: cdn.outputs.DistributionArn }}, #{{}});
            s3::put_object(bucket.outputs.BucketName, "docs/hello.txt", "hello", #{{}});
            print(cdn.outputs.DistributionId);
            print(keys.outputs.KeySlotAPublicKeyId);
            "#
        ),
        &["--var", &format!("public_key={public_key}")],
    );
    let printed = lines(&out);
    let (distribution, key_pair_id) = (&printed[0], &printed[1]);
    let base = format!("{}/_edge/{distribution}", Emulator::shared().url);
    let sign = |key_dir: &std::path::Path, id: &str, path: &str, expiry: &[&str]| {
        let url = format!("{base}/{path}");
        let private = key_dir.join("private_key.pem");
        let mut args = vec!["sign", &url, "--key-pair-id", id, "--private-key"];
        args.push(private.to_str().unwrap());
        args.extend_from_slice(expiry);
        let signed = cfsign_aws(&args);
        assert!(signed.status.success(), "{}", stderr(&signed));
        stdout(&signed).trim().to_owned()
    };
    let in_5m: &[&str] = &["--expires-in", "5m"];
    let good = sign(&trusted, key_pair_id, "docs/hello.txt", in_5m);

    let (code, served) = doctor(&good);
    assert_eq!(
        (code, served["cause"].as_str()),
        (Some(0), Some("accepted")),
        "{served}"
    );
    assert_eq!(served["distribution_id"], distribution.as_str());
    assert_eq!(served["key_pair_id"], key_pair_id.as_str());
    assert_eq!(served["answer"]["status"], 200);
    assert!(
        !served.to_string().contains("Signature="),
        "a signed URL is a credential: the diagnosis shows it without its signature"
    );

    // One change after signing: the Expires the signature covered.
    let expires = good
        .split("Expires=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let later = (expires.parse::<u64>().unwrap() + 1).to_string();
    let tampered = good.replace(&format!("Expires={expires}"), &format!("Expires={later}"));
    let past = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 600)
        .to_string();
    let cases = [
        ("signature", tampered),
        (
            "expired",
            sign(
                &trusted,
                key_pair_id,
                "docs/hello.txt",
                &["--expires-at", &past],
            ),
        ),
        (
            "untrusted-key",
            sign(&untrusted, "KUNTRUSTED0001", "docs/hello.txt", in_5m),
        ),
        (
            "missing-object",
            sign(&trusted, key_pair_id, "docs/missing.txt", in_5m),
        ),
    ];
    for (cause, url) in &cases {
        let (code, diagnosis) = doctor(url);
        assert_eq!(code, Some(1), "{cause}: {diagnosis}");
        assert_eq!(diagnosis["cause"], *cause, "{diagnosis}");
        assert!(
            diagnosis["answer"]["status"].as_u64() >= Some(400),
            "{diagnosis}"
        );
        assert!(
            diagnosis["fix"].as_str().is_some_and(|f| !f.is_empty()),
            "{diagnosis}"
        );
    }

    // The bucket policy loses its grant to the distribution: the origin refuses.
    let (out, _recipe) = run_recipe(
        &format!(
            r#"cloudformation::deploy("{bucket_stack}", "products/s3-bucket/template.yaml",
                #{{ TeamName: "{team}" }}, #{{}});"#
        ),
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let (code, denied) = doctor(&good);
    assert_eq!(
        (code, denied["cause"].as_str()),
        (Some(1), Some("origin-denied")),
        "{denied}"
    );
    assert!(
        denied["fix"].as_str().unwrap().contains("AWS:SourceArn"),
        "{denied}"
    );
}
