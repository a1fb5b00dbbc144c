//! Who reaches what in cfsign's Service Catalog setup, against the emulator's portfolio,
//! access-level and secret-policy rules: one team's principal is refused another team's
//! products and key (docs/design.md, decision 9), publishing converges principals and shares
//! and shares as Service Catalog requires, the convergence check reads the product's own
//! stack, and every paged read follows its page tokens.

use crate::support;
use crate::support::emulator::boto;

use crate::support::emulator::Emulator;
use crate::support::recipe::{command, lines, run_file, run_recipe, stderr, stdout};
use serde_json::{json, Value};

/// A role named `name` trusted by the account, with `policy` inline; returns the credentials
/// of a session of it: #{ arn, key, secret, token }.
fn role_session(name: &str, policy: &Value) -> Value {
    boto(&format!(
        r#"
iam = client("iam")
trust = {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "sts:AssumeRole",
          "Principal": {{"AWS": "arn:aws:iam::123456789012:root"}}}}]}}
try:
    arn = iam.create_role(RoleName="{name}", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
except iam.exceptions.EntityAlreadyExistsException:
    arn = iam.get_role(RoleName="{name}")["Role"]["Arn"]
iam.put_role_policy(RoleName="{name}", PolicyName="p", PolicyDocument=json.dumps({policy}))
c = client("sts").assume_role(RoleArn=arn, RoleSessionName="{name}")["Credentials"]
print(json.dumps({{"arn": arn, "key": c["AccessKeyId"], "secret": c["SecretAccessKey"], "token": c["SessionToken"]}}))
"#
    ))
}

/// The team provisioner policy the docs give teams (examples/iam/), for `team`.
fn provisioner_policy(team: &str) -> Value {
    let text =
        std::fs::read_to_string(support::repo().join("examples/iam/team-provisioner-policy.json"))
            .unwrap()
            .replace("TEAM", team);
    serde_json::from_str(&text).unwrap()
}

/// Runs a recipe file as a role session.
fn run_as(session: &Value, recipe: &str, extra: &[&str]) -> std::process::Output {
    let output = command(recipe, extra)
        .env("AWS_ACCESS_KEY_ID", session["key"].as_str().unwrap())
        .env("AWS_SECRET_ACCESS_KEY", session["secret"].as_str().unwrap())
        .env("AWS_SESSION_TOKEN", session["token"].as_str().unwrap())
        .output()
        .unwrap();
    support::recipe::assert_no_key_material(&output);
    output
}

/// Runs an inline recipe as a role session.
fn recipe_as(session: &Value, recipe: &str) -> (std::process::Output, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("recipe.rhai");
    std::fs::write(&path, recipe).unwrap();
    (run_as(session, path.to_str().unwrap(), &[]), dir)
}

fn vars_file(dir: &std::path::Path, value: &Value) -> String {
    let path = dir.join("vars.json");
    std::fs::write(&path, value.to_string()).unwrap();
    path.to_str().unwrap().to_owned()
}

/// Publishes with `vars` (a vars file in `dir`), which must succeed.
fn publish_ok(dir: &std::path::Path, vars: &Value) {
    let out = run_file(
        "recipes/publish.rhai",
        &["--vars-file", &vars_file(dir, vars)],
    );
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
}

fn team_settings(team: &str) -> Vec<String> {
    vec![
        format!("team={team}"),
        format!("domain_name=files.{team}.example.com"),
        "certificate_arn=arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f".into(),
    ]
}

fn var_args(settings: &[String]) -> Vec<&str> {
    settings
        .iter()
        .flat_map(|s| ["--var", s.as_str()])
        .collect()
}

#[test]
fn a_team_cannot_launch_update_terminate_or_read_another_teams_products() {
    let dir = tempfile::tempdir().unwrap();
    let alpha = role_session(
        "cfsign-isoalpha-provisioner",
        &provisioner_policy("isoalpha"),
    );
    let beta = role_session("cfsign-isobeta-provisioner", &provisioner_policy("isobeta"));
    let teams = json!({ "portfolio": "iso", "teams": [
        { "team": "isoalpha", "principals": [alpha["arn"]] },
        { "team": "isobeta", "principals": [beta["arn"]] },
    ]});
    publish_ok(dir.path(), &teams);

    // Each team provisions its own stack through its own portfolio, as its own role.
    let alpha_settings = [team_settings("isoalpha"), vec!["portfolio=iso".into()]].concat();
    let out = run_as(&alpha, "recipes/provision.rhai", &var_args(&alpha_settings));
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));

    // Beta's role, with the same documented policy, cannot reach alpha's stack in any way.
    let (out, _recipe) = recipe_as(
        &beta,
        r#"
        import "catalog" as catalog;
        let name = catalog::product_name("integration-role");
        let product = servicecatalog::describe_product(name);
        print(product.launch_paths.map(|p| p.name));
        let latest = product.artifacts[-1].id;
        let attempts = [
            || servicecatalog::provision_product(#{ name: "iso-theft-1", product_id: product.id,
                artifact_id: latest, path_name: "iso-isoalpha",
                parameters: #{ TeamName: "isoalpha" } }),
            || servicecatalog::provision_product(#{ name: "iso-theft-2", product_id: product.id,
                artifact_id: latest, path_name: "iso-isobeta",
                parameters: #{ TeamName: "isoalpha", SecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:cfsign/isoalpha/signing-key-abcdef",
                               TrustedService: "lambda" } }),
            || servicecatalog::update_provisioned_product("cfsign-isoalpha-role", #{
                parameters: #{ TrustedPrincipalArn: "arn:aws:iam::123456789012:root" },
                keep_previous: ["TeamName", "SecretArn"], path_name: "iso-isobeta" }),
            || servicecatalog::terminate_provisioned_product("cfsign-isoalpha-keys", #{}),
            || servicecatalog::describe_provisioned_product("cfsign-isoalpha-secret"),
            || secretsmanager::get_signing_key("cfsign/isoalpha/signing-key", "AWSCURRENT"),
        ];
        for attempt in attempts {
            try { attempt.call(); print("ALLOWED"); } catch (e) { print(`${e.code}: ${e.message}`); }
        }
        "#,
    );
    let seen = lines(&out);
    assert_eq!(seen[0], r#"["iso-isobeta"]"#, "{seen:#?}");
    let expect = [
        "ResourceNotFoundException: No launch path iso-isoalpha",
        "RecordFailed: ",
        "AccessDeniedException: ",
        "AccessDeniedException: ",
        "AccessDeniedException: ",
        "AccessDeniedException: ",
    ];
    for (line, expected) in seen[1..].iter().zip(expect) {
        assert!(line.starts_with(expected), "{expected}… in {seen:#?}");
    }
    assert!(
        seen[2].contains("TeamName must be isobeta"),
        "the template constraint names the rule: {seen:#?}"
    );
    assert!(
        seen[3].contains("servicecatalog:UpdateProvisionedProduct"),
        "{seen:#?}"
    );

    // Running the provisioning recipe for the other team fails before anything is launched.
    let theft = [team_settings("isoalpha"), vec!["portfolio=iso".into()]].concat();
    let out = run_as(&beta, "recipes/provision.rhai", &var_args(&theft));
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
}

#[test]
fn a_team_cannot_move_its_domain_or_zone_off_what_the_platform_pinned() {
    let dir = tempfile::tempdir().unwrap();
    let session = role_session("cfsign-pinteam-provisioner", &provisioner_policy("pinteam"));
    let teams = json!({ "portfolio": "pin", "teams": [
        { "team": "pinteam", "principals": [session["arn"]],
          "domain_name": "files.pinteam.example.com", "hosted_zone_id": "Z0PINNEDZONE" },
    ]});
    publish_ok(dir.path(), &teams);

    // The pinned domain launches (no zone: the pin admits none as well).
    let settings = [team_settings("pinteam"), vec!["portfolio=pin".into()]].concat();
    let out = run_as(&session, "recipes/provision.rhai", &var_args(&settings));
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));

    // Another domain, or another team's zone, is refused by the template constraint, naming
    // the pin; the distribution keeps its domain.
    for (input, value) in [
        ("domain_name", "files.payments.example.com"),
        ("hosted_zone_id", "Z0SOMEONEELSE"),
    ] {
        let moved = format!("{input}={value}");
        let args = [var_args(&settings), vec!["--var", moved.as_str()]].concat();
        let out = run_as(&session, "recipes/provision.rhai", &args);
        let said = format!("{}{}", stdout(&out), stderr(&out));
        assert!(!out.status.success(), "{said}");
        assert!(
            said.contains("the platform pinned team pinteam's"),
            "{input}: {said}"
        );
    }
    let (out, _recipe) = recipe_as(
        &session,
        r#"print(servicecatalog::provisioned_product_outputs("cfsign-pinteam-cdn").DistributionId != "");"#,
    );
    assert_eq!(lines(&out), ["true"], "{}", stderr(&out));
}

#[test]
fn the_retained_secret_keeps_its_policy_and_refuses_administrators() {
    let dir = tempfile::tempdir().unwrap();
    let team = "kept";
    let teams = json!({ "portfolio": "keep", "teams": [team] });
    publish_ok(dir.path(), &teams);
    let admin = role_session(
        "keep-admin",
        &json!({ "Version": "2012-10-17", "Statement": [
            { "Effect": "Allow", "Action": "*", "Resource": "*" }]}),
    );
    let (out, _recipe) = run_recipe(
        &format!(
            r#"
            import "catalog" as catalog;
            let product = servicecatalog::describe_product(catalog::product_name("private-key-secret"));
            let record = servicecatalog::provision_product(#{{ name: "keep-{team}-secret",
                product_id: product.id, artifact_id: product.artifacts[-1].id, path_name: "keep-{team}",
                parameters: #{{ TeamName: "{team}", AutomationRoleArn: "arn:aws:iam::123456789012:role/keep-automation" }} }});
            servicecatalog::terminate_provisioned_product("keep-{team}-secret", #{{}});
            print(record.outputs.SecretArn);
            "#
        ),
        &[],
    );
    let arn = lines(&out)[0].clone();
    let refusals = boto(&format!(
        r#"
c = {admin}
sm = client("secretsmanager", aws_access_key_id=c["key"], aws_secret_access_key=c["secret"], aws_session_token=c["token"])
root = client("secretsmanager")
assert "Deny" in root.get_resource_policy(SecretId="{arn}")["ResourcePolicy"]
refused = []
for name, call in [("GetSecretValue", lambda: sm.get_secret_value(SecretId="{arn}")),
                   ("PutSecretValue", lambda: sm.put_secret_value(SecretId="{arn}", SecretString="{{}}")),
                   ("UpdateSecretVersionStage", lambda: sm.update_secret_version_stage(SecretId="{arn}", VersionStage="AWSPENDING")),
                   ("DeleteResourcePolicy", lambda: sm.delete_resource_policy(SecretId="{arn}")),
                   ("PutResourcePolicy", lambda: sm.put_resource_policy(SecretId="{arn}", ResourcePolicy="{{}}")),
                   ("DeleteSecret", lambda: sm.delete_secret(SecretId="{arn}")),
                   ("UpdateSecret", lambda: sm.update_secret(SecretId="{arn}", Description="mine"))]:
    try:
        call()
    except sm.exceptions.ClientError as e:
        if e.response["Error"]["Code"] == "AccessDeniedException":
            refused.append(name)
print(json.dumps(refused))
"#
    ));
    assert_eq!(
        refusals,
        json!([
            "GetSecretValue",
            "PutSecretValue",
            "UpdateSecretVersionStage",
            "DeleteResourcePolicy",
            "PutResourcePolicy",
            "DeleteSecret",
            "UpdateSecret"
        ])
    );
}

#[test]
fn convergence_reads_the_products_own_stack_not_the_first_search_hit() {
    let dir = tempfile::tempdir().unwrap();
    let teams = json!({ "portfolio": "conv", "teams": ["convb", "conva"] });
    publish_ok(dir.path(), &teams);
    let settings = json!({
        "portfolio": "conv",
        "certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f",
        "automation_role_arn": "arn:aws:iam::123456789012:role/cfsign-automation",
        "concurrency": 1,
        "teams": [
            { "team": "convb", "domain_name": "files.convb.example.com" },
            { "team": "conva", "domain_name": "files.conva.example.com" },
        ],
    });
    let file = vars_file(dir.path(), &settings);
    let out = run_file("recipes/provision.rhai", &["--vars-file", &file]);
    assert!(out.status.success(), "{}", stderr(&out));
    // A search for one team's product returns the other team's too (full-text search).
    let (out, _recipe) = run_recipe(
        r#"print(servicecatalog::search_provisioned_products("name:cfsign-conva-keys").len() > 1);"#,
        &[],
    );
    assert_eq!(lines(&out), ["true"]);
    let again = run_file("recipes/provision.rhai", &["--vars-file", &file]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        !stderr(&again).contains("updating "),
        "an unchanged team was updated:\n{}",
        stderr(&again)
    );
}

#[test]
fn publishing_converges_principals_and_shares_and_plans_the_removals() {
    let dir = tempfile::tempdir().unwrap();
    let role = role_session(
        "conv-extra",
        &json!({ "Version": "2012-10-17", "Statement": [
        { "Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*" }]}),
    );
    let first = json!({ "portfolio": "pub", "teams": [
        { "team": "pubteam", "principals": [role["arn"], "arn:aws:iam:::role/pub-*"],
          "share_with": ["210987654321", "210987654322"] },
        "pubgone",
    ]});
    publish_ok(dir.path(), &first);
    let launch = |portfolio: &str| {
        format!(
            r#"let p = servicecatalog::find_portfolio("{portfolio}");
               print(servicecatalog::list_constraints(p.id).filter(|c| c.type == "LAUNCH")[0].parameters);
               print(servicecatalog::list_principals(p.id).len());
               print(servicecatalog::list_shares(p.id).map(|s| s.principal_id));"#
        )
    };
    let (out, _recipe) = run_recipe(&launch("pub-pubteam"), &[]);
    assert_eq!(
        lines(&out),
        [
            r#"#{"LocalRoleName": "cfsign-servicecatalog-launch"}"#,
            "2",
            r#"["210987654321", "210987654322"]"#
        ],
        "shared portfolios launch with the recipients' own launch role (LocalRoleName)"
    );

    // The inputs drop one principal, one share and a team: a dry run plans the removals.
    let second = json!({ "portfolio": "pub", "teams": [
        { "team": "pubteam", "principals": ["arn:aws:iam:::role/pub-*"],
          "share_with": ["210987654321"] },
    ]});
    let file = vars_file(dir.path(), &second);
    let dry = run_file("recipes/publish.rhai", &["--vars-file", &file, "--dry-run"]);
    let plan = stdout(&dry);
    assert!(dry.status.success(), "{plan}{}", stderr(&dry));
    let removed = format!("removed    principal    {}", role["arn"].as_str().unwrap());
    for expected in [
        "ServiceCatalog DisassociatePrincipalFromPortfolio",
        role["arn"].as_str().unwrap(),
        "ServiceCatalog DeletePortfolioShare",
        "removed    share        210987654322",
        &removed,
        "unchanged  principal    arn:aws:iam:::role/pub-*",
    ] {
        assert!(plan.contains(expected), "missing {expected}:\n{plan}");
    }
    let out = run_file("recipes/publish.rhai", &["--vars-file", &file]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (out, _recipe) = run_recipe(&launch("pub-pubteam"), &[]);
    assert_eq!(lines(&out)[1..], ["1", r#"["210987654321"]"#]);
    let (out, _recipe) = run_recipe(&launch("pub-pubgone"), &[]);
    assert_eq!(
        lines(&out)[1..],
        ["0", "[]"],
        "a team left out loses its access"
    );
    let again = run_file("recipes/publish.rhai", &["--vars-file", &file]);
    assert!(
        stdout(&again).contains(" 0 change(s)"),
        "{}",
        stdout(&again)
    );
}

#[test]
fn organization_shares_need_organizations_access_and_share_principals() {
    let dir = tempfile::tempdir().unwrap();
    let unit = boto(
        r#"
orgs = client("organizations")
try:
    orgs.create_organization(FeatureSet="ALL")
except orgs.exceptions.AlreadyInOrganizationException:
    pass
roots = orgs.list_roots()
print(roots)
root = roots["Roots"][0]["Id"]
print(json.dumps({"unit": orgs.create_organizational_unit(ParentId=root, Name="apps")["OrganizationalUnit"]["Id"], "root": root}))
"#,
    );
    let (ou, root) = (
        unit["unit"].as_str().unwrap(),
        unit["root"].as_str().unwrap(),
    );
    let publish = |targets: Value| {
        let inputs =
            json!({ "portfolio": "org", "teams": [{ "team": "orgteam", "share_with": targets }] });
        run_file(
            "recipes/publish.rhai",
            &["--vars-file", &vars_file(dir.path(), &inputs)],
        )
    };
    let out = publish(json!([root]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("organization root"),
        "{}",
        stderr(&out)
    );
    let out = publish(json!([ou]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("enable-aws-organizations-access"),
        "{}",
        stderr(&out)
    );
    // Both were refused before anything was made: the team's portfolio does not exist.
    let made = boto(
        r#"
sc = client("servicecatalog")
names = [p["DisplayName"] for page in sc.get_paginator("list_portfolios").paginate()
         for p in page["PortfolioDetails"]]
print(json.dumps("org-orgteam" in names))
"#,
    );
    assert_eq!(
        made,
        json!(false),
        "a refused share left a portfolio behind"
    );
    // The management account enables it once; the share is made with principal sharing, and
    // a share made earlier without it is changed with UpdatePortfolioShare.
    boto(
        r#"
sc = client("servicecatalog")
sc.enable_aws_organizations_access()
print(json.dumps(True))
"#,
    );
    let out = publish(json!([]));
    assert!(out.status.success(), "{}", stderr(&out));
    boto(&format!(
        r#"
sc = client("servicecatalog")
pages = sc.get_paginator("list_portfolios").paginate()
p = [p for page in pages for p in page["PortfolioDetails"] if p["DisplayName"] == "org-orgteam"][0]
sc.create_portfolio_share(PortfolioId=p["Id"], OrganizationNode={{"Type": "ORGANIZATIONAL_UNIT", "Value": "{ou}"}})
print(json.dumps(True))
"#
    ));
    let (calls, out) = {
        let before = Emulator::shared().recorded_requests().len();
        let out = publish(json!([ou]));
        (
            Emulator::shared().recorded_requests().split_off(before),
            out,
        )
    };
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        calls
            .iter()
            .any(|c| c.operation.as_deref() == Some("UpdatePortfolioShare")),
        "the existing share is updated"
    );
    let (out, _recipe) = run_recipe(
        r#"let p = servicecatalog::find_portfolio("org-orgteam");
           print(servicecatalog::list_shares(p.id).map(|s| s.share_principals));"#,
        &[],
    );
    assert_eq!(lines(&out), ["[true]"]);
}

#[test]
fn every_paged_read_follows_its_page_tokens() {
    let name = support::recipe::unique("page");
    let recipe = format!(
        r#"
        for n in 0..22 {{ servicecatalog::create_portfolio(#{{ name: `{name}-${{n}}`, provider: "p" }}); }}
        print(servicecatalog::find_portfolio("{name}-21") != ());
        print(servicecatalog::list_portfolios().filter(|p| p.name.starts_with("{name}-")).len());
        let portfolio = servicecatalog::find_portfolio("{name}-0");
        for n in 0..25 {{ servicecatalog::share_portfolio(portfolio.id, `2109876543${{n + 10}}`); }}
        print(servicecatalog::list_shares(portfolio.id).len());
        let bucket = "{name}-artifacts";
        s3::create_bucket(bucket);
        let template = s3::upload_template(bucket, "tests/fixtures/many-outputs.json", "many");
        let launch = cloudformation::deploy("{name}-launch", "products/launch-role/template.yaml",
            #{{ ArtifactBucketName: bucket, RoleName: "cfsign-{name}-launch" }},
            #{{ capabilities: ["CAPABILITY_NAMED_IAM"] }});
        for n in 0..22 {{
            let product = servicecatalog::create_product(#{{ name: `{name}-p${{n}}`, owner: "p",
                artifact: #{{ name: "v1", template_url: template.url }} }});
            servicecatalog::associate_product(portfolio.id, product.id);
            servicecatalog::create_constraint(portfolio.id, product.id, "LAUNCH",
                #{{ RoleArn: launch.outputs.RoleArn }}, "launch");
        }}
        print(servicecatalog::portfolio_products(portfolio.id).len());
        print(servicecatalog::list_constraints(portfolio.id).len());
        let product = servicecatalog::find_product("{name}-p0");
        let record = servicecatalog::provision_product(#{{ name: "{name}-pp", product_id: product.id,
            artifact_id: servicecatalog::list_artifacts(product.id)[0].id, parameters: #{{}} }});
        print(record.outputs.keys().len());
        print(servicecatalog::provisioned_product_outputs("{name}-pp").keys().len());
        print(servicecatalog::search_provisioned_products("{name}").filter(|p| p.name == "{name}-pp").len());
        "#
    );
    let (out, _recipe) = run_recipe(&recipe, &[]);
    assert_eq!(
        lines(&out),
        ["true", "22", "25", "22", "22", "26", "26", "1"],
        "{}",
        stderr(&out)
    );
}
