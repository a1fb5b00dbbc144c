//! The host modules for publishing and provisioning, driven through recipes against the
//! emulator: `servicecatalog::` end to end, and what the products create read back through
//! `dynamodb::`, `iam::`, `cloudfront::` and the emulator's edge.
//!
//! The host functions run as the account root on fixtures of their own (portfolios, launch
//! roles and stacks under test names, which no documented role may create); `provision.rhai`
//! runs as the platform automation role, as the docs tell users to run it.

use crate::support::emulator::Emulator;
use crate::support::recipe::{lines, run_recipe, stderr, stdout, unique};
use crate::support::roles::{run_file_as, Identity};

/// A recipe prelude: an artifact bucket with the secret product's template uploaded, the
/// launch role deployed, and a portfolio holding the product with a launch constraint.
fn catalog_prelude(name: &str) -> String {
    format!(
        r#"
        let bucket = "{name}-artifacts";
        s3::create_bucket(bucket);
        let template = s3::upload_template(bucket, "products/private-key-secret/template.yaml", "secret");
        let launch = cloudformation::deploy("{name}-launch", "products/launch-role/template.yaml",
            #{{ ArtifactBucketName: bucket, RoleName: "cfsign-{name}-launch" }},
            #{{ capabilities: ["CAPABILITY_NAMED_IAM"] }});
        let portfolio = servicecatalog::create_portfolio(#{{ name: "{name}", provider: "platform" }});
        let product = servicecatalog::create_product(#{{
            name: "{name}-secret", owner: "platform", description: "the signing-key secret",
            artifact: #{{ name: "v1", template_url: template.url }},
        }});
        servicecatalog::associate_product(portfolio.id, product.id);
        servicecatalog::create_constraint(portfolio.id, product.id, "LAUNCH",
            #{{ RoleArn: launch.outputs.RoleArn }}, "launch as the cfsign launch role");
        "#
    )
}

#[test]
fn a_portfolio_is_created_found_and_filled() {
    let name = unique("pub");
    let recipe = format!(
        r#"
        print(servicecatalog::find_portfolio("{name}") == ());
        {prelude}
        print(servicecatalog::find_portfolio("{name}").id == portfolio.id);
        servicecatalog::update_portfolio(portfolio.id, #{{ description: "updated" }});
        print(servicecatalog::find_portfolio("{name}").description);
        print(servicecatalog::find_product("{name}-secret").id == product.id);
        print(servicecatalog::find_product("{name}-nothing") == ());
        print(servicecatalog::portfolio_products(portfolio.id).map(|p| p.name));

        let constraint = servicecatalog::list_constraints(portfolio.id)[0];
        print(constraint.type);
        print(constraint.parameters.RoleArn == launch.outputs.RoleArn);

        servicecatalog::associate_principal(portfolio.id, "arn:aws:iam:::role/app-*", "IAM_PATTERN");
        servicecatalog::associate_principal(portfolio.id, "arn:aws:iam:::role/app-*", "IAM_PATTERN");
        print(servicecatalog::list_principals(portfolio.id));
        servicecatalog::share_portfolio(portfolio.id, "210987654321");
        try {{
            servicecatalog::share_portfolio(portfolio.id, "ou-ab12-cdef3456");
        }} catch (e) {{
            print(e.message.contains("organization's management account"));
        }}
        print(servicecatalog::list_shares(portfolio.id).map(|s| `${{s.type}} ${{s.principal_id}}`));
        "#,
        prelude = catalog_prelude(&name)
    );
    let (out, _dir) = run_recipe(&recipe, &[]);
    assert_eq!(
        lines(&out),
        [
            "true".to_owned(),
            "true".to_owned(),
            "updated".to_owned(),
            "true".to_owned(),
            "true".to_owned(),
            format!("[\"{name}-secret\"]"),
            "LAUNCH".to_owned(),
            "true".to_owned(),
            r#"[#{"arn": "arn:aws:iam:::role/app-*", "type": "IAM_PATTERN"}]"#.to_owned(),
            "true".to_owned(),
            r#"["ACCOUNT 210987654321"]"#.to_owned(),
        ]
    );
}

#[test]
fn artifacts_are_added_listed_and_deprecated() {
    let name = unique("art");
    let recipe = format!(
        r#"
        {prelude}
        let v2 = s3::upload_template(bucket, "products/key-pair/template.yaml", "secret");
        let artifact = servicecatalog::create_artifact(product.id, #{{ name: "v2", template_url: v2.url }});
        servicecatalog::deprecate_artifact(product.id, product.artifact.id);
        for a in servicecatalog::list_artifacts(product.id) {{
            print(`${{a.name}} ${{a.active}} ${{a.guidance}}`);
        }}
        try {{
            servicecatalog::provision_product(#{{ name: "{name}-old", product_id: product.id,
                artifact_id: product.artifact.id, parameters: #{{}} }});
        }} catch (e) {{
            print(e.code);
        }}
        "#,
        prelude = catalog_prelude(&name)
    );
    let (out, _dir) = run_recipe(&recipe, &[]);
    assert_eq!(
        lines(&out),
        [
            "v1 true DEPRECATED",
            "v2 true DEFAULT",
            "InvalidParametersException"
        ]
    );
}

#[test]
fn products_provision_update_report_and_terminate_with_progress() {
    let name = unique("prov");
    let team = format!("t{}", std::process::id() % 100_000);
    let recipe = format!(
        r#"
        {prelude}
        let request = #{{
            name: "{name}-pp", product_id: product.id, artifact_id: product.artifact.id,
            parameters: #{{ TeamName: "{team}", AutomationRoleArn: "arn:aws:iam::123456789012:role/auto" }},
            tags: #{{ "cfsign:team": "{team}" }},
        }};
        let record = servicecatalog::provision_product(request);
        print(record.status);
        print(record.outputs.SecretName);
        let pp = servicecatalog::describe_provisioned_product("{name}-pp");
        print(pp.status);
        print(servicecatalog::provisioned_product_outputs("{name}-pp").SecretName);
        let found = servicecatalog::search_provisioned_products("name:{name}-pp");
        print(found.len()); print(found[0].product_name); print(found[0].tags["cfsign:team"]);

        let update = servicecatalog::update_provisioned_product("{name}-pp", #{{
            parameters: #{{ AutomationRoleArn: "arn:aws:iam::123456789012:role/other" }},
            keep_previous: ["TeamName"],
        }});
        print(update.type); print(update.status);

        let bare = servicecatalog::provision_product(#{{ name: "{name}-bare", product_id: product.id,
            artifact_id: product.artifact.id, wait: false }});
        print(bare.status);
        try {{
            servicecatalog::wait_for_record(bare.id);
        }} catch (e) {{
            print(e.code); print(e.message.contains("TeamName"));
        }}
        print(servicecatalog::describe_provisioned_product("{name}-bare").status);

        print(servicecatalog::terminate_provisioned_product("{name}-pp", #{{}}).status);
        print(servicecatalog::describe_provisioned_product("{name}-pp") == ());
        print(servicecatalog::terminate_provisioned_product("{name}-pp", #{{}}) == ());
        "#,
        prelude = catalog_prelude(&name)
    );
    let (out, _dir) = run_recipe(&recipe, &[]);
    assert_eq!(
        lines(&out),
        [
            "SUCCEEDED".to_owned(),
            format!("cfsign/{team}/signing-key"),
            "AVAILABLE".to_owned(),
            format!("cfsign/{team}/signing-key"),
            "1".to_owned(),
            format!("{name}-secret"),
            team.clone(),
            "UPDATE_PROVISIONED_PRODUCT".to_owned(),
            "SUCCEEDED".to_owned(),
            "IN_PROGRESS".to_owned(),
            "RecordFailed".to_owned(),
            "true".to_owned(),
            "ERROR".to_owned(),
            "SUCCEEDED".to_owned(),
            "true".to_owned(),
            "true".to_owned(),
        ]
    );
    let progress = stderr(&out);
    assert!(
        progress.contains(&format!("provisioning {name}-pp: IN_PROGRESS")),
        "waits report progress:\n{progress}"
    );
}

/// A product whose first launch failed (ERROR, its stack ROLLBACK_COMPLETE: CloudFormation can
/// only delete it, so every update fails) is terminated, with a message saying why, so that it
/// can be launched again; a product that runs is left alone.
#[test]
fn a_failed_first_launch_is_terminated_so_it_can_be_launched_again() {
    let name = unique("relaunch");
    let team = format!("r{}", std::process::id() % 100_000);
    let recipe = format!(
        r#"
        import "provisioned" as provisioned;
        {prelude}
        let failed = servicecatalog::provision_product(#{{ name: "{name}-pp", product_id: product.id,
            artifact_id: product.artifact.id, wait: false }});
        try {{ servicecatalog::wait_for_record(failed.id); }} catch (e) {{ print(e.code); }}
        let current = servicecatalog::describe_provisioned_product("{name}-pp");
        print(current.status);
        print(provisioned::unless_never_launched("{name}-pp", current) == ());
        print(servicecatalog::describe_provisioned_product("{name}-pp") == ());
        let record = servicecatalog::provision_product(#{{ name: "{name}-pp", product_id: product.id,
            artifact_id: product.artifact.id,
            parameters: #{{ TeamName: "{team}", AutomationRoleArn: "arn:aws:iam::123456789012:role/auto" }} }});
        print(record.status);
        let running = servicecatalog::describe_provisioned_product("{name}-pp");
        print(provisioned::unless_never_launched("{name}-pp", running).status);
        servicecatalog::terminate_provisioned_product("{name}-pp", #{{}});
        "#,
        prelude = catalog_prelude(&name)
    );
    let (out, _dir) = run_recipe(&recipe, &[]);
    let text = lines(&out);
    assert_eq!(text[0], "RecordFailed", "{text:?}");
    assert_eq!(text[1], "ERROR");
    assert!(
        text[2].starts_with(&format!("{name}-pp: its first launch failed (")),
        "{text:?}"
    );
    assert!(
        text[2].contains("TeamName"),
        "names the failure: {}",
        text[2]
    );
    assert!(text[2].ends_with("; terminating it to launch it again"));
    assert_eq!(&text[3..], ["true", "true", "SUCCEEDED", "AVAILABLE"]);
}

/// `cloudformation::deploy` of a stack whose first create rolled back deletes it, saying so,
/// and creates it again.
#[test]
fn deploy_creates_again_a_stack_whose_first_create_rolled_back() {
    let name = unique("redeploy");
    let recipe = format!(
        r#"
        let parameters = #{{ ArtifactBucketName: "{name}-artifacts", RoleName: "cfsign-{name}-launch" }};
        let options = #{{ capabilities: ["CAPABILITY_NAMED_IAM"] }};
        cloudformation::deploy("{name}-first", "products/launch-role/template.yaml", parameters, options);
        try {{
            cloudformation::deploy("{name}-second", "products/launch-role/template.yaml", parameters, options);
        }} catch (e) {{
            print(e.message.contains("ROLLBACK_COMPLETE"));
        }}
        cloudformation::delete_stack("{name}-first");
        print(cloudformation::deploy("{name}-second", "products/launch-role/template.yaml", parameters, options).status);
        cloudformation::delete_stack("{name}-second");
        "#
    );
    let (out, _dir) = run_recipe(&recipe, &[]);
    assert_eq!(lines(&out), ["true", "CREATE_COMPLETE"], "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("stack {name}-second: its first create failed ("))
            && stderr(&out).contains("deleting it to create it again"),
        "{}",
        stderr(&out)
    );
}

/// A versioned bucket (the s3-bucket product's) keeps versions and delete markers after its
/// objects are deleted, and S3 refuses to delete a bucket that holds any: the bindings list
/// them and delete exact versions, so the bucket's stack can be deleted.
#[test]
fn every_version_of_a_versioned_bucket_is_deleted_so_its_stack_can_go() {
    let team = format!("v{}", std::process::id() % 100_000);
    let name = unique("versions");
    let recipe = format!(
        r#"
        let stack = cloudformation::deploy("{name}", "products/s3-bucket/template.yaml",
            #{{ TeamName: "{team}" }}, #{{}});
        let bucket = stack.outputs.BucketName;
        s3::put_object(bucket, "uploads/a.txt", "one", #{{}});
        s3::put_object(bucket, "uploads/a.txt", "two", #{{}});
        s3::put_object(bucket, "uploads/a.txt.bak", "kept", #{{}});
        s3::delete_object(bucket, "uploads/a.txt");
        print(s3::list_objects(bucket, ""));
        let versions = s3::list_object_versions(bucket, "");
        print(`${{versions.len()}} ${{versions.filter(|v| v.delete_marker).len()}}`);
        print(s3::delete_object_versions(bucket, "uploads/a.txt"));
        print(s3::list_object_versions(bucket, "").map(|v| v.key));
        print(s3::empty_bucket(bucket));
        print(s3::list_object_versions(bucket, "").len());
        cloudformation::delete_stack("{name}");
        print(cloudformation::describe_stack("{name}") == ());
        "#
    );
    let (out, _dir) = run_recipe(&recipe, &[]);
    assert_eq!(
        lines(&out),
        [
            r#"["uploads/a.txt.bak"]"#,
            "4 1",
            "3",
            r#"["uploads/a.txt.bak"]"#,
            "1",
            "0",
            "true"
        ]
    );
}

#[test]
fn bad_options_name_the_option_and_bad_share_targets_say_what_is_accepted() {
    let (out, _dir) = run_recipe(
        r#"servicecatalog::create_portfolio(#{ name: "x", provder: "typo" });"#,
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("unknown field `provder`"), "{err}");
    assert!(err.contains("recipe.rhai:1:"), "{err}");

    // Every options map is checked the same way: a misspelt option is an error, never ignored
    // (these read their options by hand, and a slip such as remove_form did nothing).
    for (call, typo) in [
        (
            r#"secretsmanager::update_secret_version_stage("cfsign/x/signing-key", "AWSPENDING", #{ remove_form: "v1" })"#,
            "remove_form",
        ),
        (
            r#"s3::put_object("cfsign-typo", "a.txt", "x", #{ contentType: "text/plain" })"#,
            "contentType",
        ),
        (
            r#"cloudformation::deploy("typo", "products/key-pair/template.yaml", #{}, #{ capability: ["CAPABILITY_IAM"] })"#,
            "capability",
        ),
        (
            r#"http::request("PUT", "https://d111111abcdef8.cloudfront.net/uploads/a", #{ header: #{} })"#,
            "header",
        ),
    ] {
        let (out, _dir) = run_recipe(&format!("{call};"), &[]);
        assert_eq!(out.status.code(), Some(2), "{call}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!("unknown field `{typo}`")),
            "{call}: {}",
            stderr(&out)
        );
    }

    let (out, _dir) = run_recipe(
        r#"servicecatalog::share_portfolio("port-x", "not-an-account");"#,
        &[],
    );
    let err = stderr(&out);
    assert!(
        err.contains("not an account id (12 digits), an organization (o-...)"),
        "{err}"
    );
}

#[test]
fn a_dry_run_of_publishing_and_provisioning_writes_nothing() {
    let name = unique("dryp");
    let recipe = format!(
        r#"
        let portfolio = servicecatalog::create_portfolio(#{{ name: "{name}", provider: "platform" }});
        let product = servicecatalog::create_product(#{{ name: "{name}-p", owner: "platform",
            artifact: #{{ name: "v1", template_url: "https://b.s3.amazonaws.com/t.yaml" }} }});
        servicecatalog::associate_product(portfolio.id, product.id);
        print(servicecatalog::list_constraints(portfolio.id).len());
        let record = servicecatalog::provision_product(#{{ name: "{name}-pp", product_id: product.id,
            artifact_id: product.artifact.id, parameters: #{{ TeamName: "x" }} }});
        print(is_planned(record.status));
        print(dry_run());
        print(http::put("https://d111111abcdef8.cloudfront.net/uploads/a.txt?Signature=secret-ish", "x").planned);
        print(http::get("https://d111111abcdef8.cloudfront.net/a.txt?Signature=secret-ish").planned);
        "#
    );
    let (out, _dir) = run_recipe(&recipe, &["--dry-run"]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    for expected in [
        "1. ServiceCatalog CreatePortfolio",
        "2. ServiceCatalog CreateProduct",
        "3. ServiceCatalog AssociateProductWithPortfolio",
        "4. ServiceCatalog ProvisionProduct",
        "true\ntrue\ntrue\ntrue",
        r#"5. HTTP PUT {"url":"https://d111111abcdef8.cloudfront.net/uploads/a.txt"}"#,
        r#"6. HTTP GET {"url":"https://d111111abcdef8.cloudfront.net/a.txt"}"#,
    ] {
        assert!(text.contains(expected), "missing {expected}:\n{text}");
    }
    assert!(
        !text.contains("secret-ish"),
        "a signed URL's query is left out:\n{text}"
    );
    let writes: Vec<_> = Emulator::shared()
        .recorded_requests()
        .into_iter()
        .filter(|r| r.body.contains(name.as_str()) && r.is_mutating())
        .collect();
    assert!(writes.is_empty(), "dry run sent: {writes:#?}");
}

#[test]
fn the_metadata_table_product_is_read_and_written_through_dynamodb() {
    let team = format!("d{}", std::process::id() % 100_000);
    let recipe = format!(
        r#"
        let stack = cloudformation::deploy("{team}-table", "products/metadata-table/template.yaml",
            #{{ TeamName: "{team}", PartitionKeyName: "fileId", SortKeyName: "version", SortKeyType: "N" }}, #{{}});
        let table = dynamodb::describe_table(stack.outputs.TableName);
        print(table.key_schema);
        print(dynamodb::describe_table("cfsign-nothing-here") == ());
        let key = #{{ fileId: "uploads/a.txt", version: 3 }};
        dynamodb::put_item(table.name, key + #{{ size: 5, ok: true, tags: ["x", "y"], meta: #{{ by: "smoke" }}, none: () }});
        let item = dynamodb::get_item(table.name, key);
        print(item.size + 1); print(item.ok); print(item.tags); print(item.meta.by); print(item.none == ());
        dynamodb::delete_item(table.name, key);
        print(dynamodb::get_item(table.name, key) == ());
        "#
    );
    let (out, _dir) = run_recipe(&recipe, &[]);
    assert_eq!(
        lines(&out),
        [
            r#"[#{"name": "fileId", "type": "HASH"}, #{"name": "version", "type": "RANGE"}]"#,
            "true",
            "6",
            "true",
            r#"["x", "y"]"#,
            "smoke",
            "true",
            "true",
        ]
    );
}

#[test]
fn the_integration_role_is_read_back_through_iam() {
    let team = format!("r{}", std::process::id() % 100_000);
    let recipe = format!(
        r#"
        let stack = cloudformation::deploy("{team}-role", "products/integration-role/template.yaml", #{{
            TeamName: "{team}", TrustedService: "lambda",
            SecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:cfsign/{team}/signing-key-AbCdEf",
        }}, #{{ capabilities: ["CAPABILITY_NAMED_IAM"] }});
        let role = iam::get_role(stack.outputs.RoleName);
        print(role.arn == stack.outputs.RoleArn);
        print(role.assume_role_policy.Statement[0].Principal.Service);
        print(iam::list_role_policies(role.name));
        let policy = iam::get_role_policy(role.name, "read-signing-key");
        print(policy.Statement[0].Action);
        print(iam::get_role("cfsign-nobody-integration") == ());
        "#
    );
    let (out, _dir) = run_recipe(&recipe, &[]);
    assert_eq!(
        lines(&out),
        [
            "true",
            "lambda.amazonaws.com",
            r#"["read-signing-key"]"#,
            r#"["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]"#,
            "true",
        ]
    );
}

#[test]
fn a_distribution_deploys_and_serves_urls_signed_by_cfsign_to_the_edge() {
    let team = format!("e{}", std::process::id() % 100_000);
    Emulator::shared().slow_down("cloudfront::distribution", 2);
    let recipe = format!(
        r#"
        let key = keys::generate();
        let bucket = cloudformation::deploy("{team}-bucket", "products/s3-bucket/template.yaml",
            #{{ TeamName: "{team}" }}, #{{}}).outputs;
        let keys = cloudformation::deploy("{team}-keys", "products/key-pair/template.yaml",
            #{{ TeamName: "{team}", KeySlotAPublicKey: keys::public_key_pem(key) }}, #{{}}).outputs;
        let cdn = cloudformation::deploy("{team}-cdn", "products/cloudfront-distribution/template.yaml", #{{
            TeamName: "{team}", DomainName: "files.{team}.example.com",
            CertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/0a1b-2c3d",
            BucketRegionalDomainName: bucket.BucketRegionalDomainName, KeyGroupId: keys.KeyGroupId,
        }}, #{{}}).outputs;
        cloudformation::deploy("{team}-bucket", "products/s3-bucket/template.yaml",
            #{{ TeamName: "{team}", DistributionArn: cdn.DistributionArn }}, #{{}});
        let distribution = cloudfront::wait_for_deployment(cdn.DistributionId);
        print(distribution.status);
        print(distribution.aliases);

        let edge = `${{vars.endpoint}}/_edge/${{cdn.DistributionId}}`;
        let signed = sign::url(key, keys.KeySlotAPublicKeyId, `${{edge}}/uploads/hello.txt`, #{{ expires_in: "5m" }});
        // Writes under /uploads/ take an upload URL; the download URL reads.
        let upload = sign::url(key, keys.KeySlotAPublicKeyId, `${{edge}}/uploads/hello.txt`, #{{ expires_in: "5m", upload: true }});
        print(http::put(upload, "hello").status);
        let response = http::get(signed);
        print(response.status); print(response.body);
        print(http::get(`${{edge}}/uploads/hello.txt`).status);
        print(http::request("DELETE", signed, #{{}}).status);
        "#
    );
    let endpoint = format!("endpoint={}", Emulator::shared().url);
    let (out, _dir) = run_recipe(&recipe, &["--var", &endpoint]);
    assert_eq!(
        lines(&out),
        [
            "Deployed".to_owned(),
            format!("[\"files.{team}.example.com\"]"),
            "200".to_owned(),
            "200".to_owned(),
            "hello".to_owned(),
            "403".to_owned(),
            "403".to_owned(),
        ]
    );
    let progress = stderr(&out);
    assert!(
        progress.contains("InProgress"),
        "the wait saw the deployment in progress:\n{progress}"
    );
}

/// The automation role provisioning names in the team's secret (the tests run as the root key).
/// provision.rhai for `team` with the other inputs it requires, then `extra`, as the platform
/// automation role runs it.
fn provision_team(team: &str, extra: &[&str]) -> std::process::Output {
    let team = format!("team={team}");
    let mut args = vec![
        "--var",
        team.as_str(),
        "--var",
        "domain_name=files.example.com",
        "--var",
        "certificate_arn=arn:aws:acm:us-east-1:123456789012:certificate/0a1b-2c3d",
    ];
    args.extend_from_slice(extra);
    run_file_as(Identity::Automation, "recipes/provision.rhai", &args)
}

#[test]
fn a_team_name_the_products_refuse_is_refused_before_anything_is_launched() {
    let long = "a".repeat(33);
    for name in [
        "qs",
        "Payments",
        "team_x",
        "-abc",
        "abc-",
        "9abc",
        long.as_str(),
    ] {
        let out = provision_team(name, &[]);
        assert!(!out.status.success(), "{name}: {}", stdout(&out));
        assert!(
            stderr(&out).contains(&format!("team \"{name}\": a team name is 3-32 characters")),
            "{name}: {}",
            stderr(&out)
        );
        assert!(
            !stderr(&out).contains("provisioning "),
            "{name}: something was launched: {}",
            stderr(&out)
        );
    }
    // A name the pattern takes passes the check (and stops later: nothing is published here).
    let out = provision_team("abc-1", &["--dry-run"]);
    assert!(!stderr(&out).contains("a team name is"), "{}", stderr(&out));
}

#[test]
fn a_team_whose_bucket_name_would_pass_63_characters_is_refused_before_anything_is_launched() {
    // cfsign-TEAM-123456789012-ap-southeast-1: 35 characters besides the team's, so 28 fit.
    let fits = "b".repeat(28);
    let long = "b".repeat(29);
    let provision = |team: &str| provision_team(team, &["--region", "ap-southeast-1", "--dry-run"]);
    let out = provision(&long);
    assert!(!out.status.success(), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("would have 64 characters, over S3's 63; in ap-southeast-1 a team name has at most 28 characters"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("provisioning "), "{}", stderr(&out));
    let out = provision(&fits);
    assert!(!stderr(&out).contains("over S3's 63"), "{}", stderr(&out));

    // Publishing refuses the team too: its portfolio would pin a name no launch can take.
    let out = run_file_as(
        Identity::Automation,
        "recipes/publish.rhai",
        &[
            "--region",
            "ap-southeast-1",
            "--var",
            &format!("teams={long}"),
            "--dry-run",
        ],
    );
    assert!(!out.status.success(), "{}", stdout(&out));
    assert!(stderr(&out).contains("over S3's 63"), "{}", stderr(&out));
}
