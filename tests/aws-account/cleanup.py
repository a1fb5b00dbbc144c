"""Removes what one run of the real-account suite made, whatever step it stopped at, with boto3
rather than cfsign: the cleanup must work even when the cfsign under test does not.

It removes only what the run's state file (acceptance.py) says the run made, and checks that it
is the run's before it deletes a fixed name: the teams' provisioned products (their buckets
emptied, their tables' deletion protection off), their signing-key secrets, the portfolios named
after the run's prefix, the products tagged with the run's portfolio, the launch-role stack that
names the run's artifact bucket, that bucket, and the shared response headers policies the
account did not hold before the run. Every removal is tried even when an earlier one fails,
except that the catalog and the launch role stay while a team's product does (Service Catalog
terminates with the launch role). Then the account is listed again, so "everything is gone" is
checked, not assumed; `run` returns what is left, each with the reason.
"""
import time

from botocore.exceptions import ClientError

# Provisioned products (cfsign-TEAM-SHORT, SHORT being a product.json's provisionedAs) leave in
# this order, each one's dependents first: recipes/teardown.rhai's order.
TEARDOWN_ORDER = ("role", "table", "cdn", "bucket", "keys", "secret")
SETTLED = {"AVAILABLE", "TAINTED", "ERROR"}
# The response headers policies the teams share (products/cloudfront-distribution): kept by
# their stacks (DeletionPolicy Retain), so the last team's teardown leaves them.
SHARED_POLICIES = ("cfsign-downloads-", "cfsign-uploads-")


def code(error):
    return error.response.get("Error", {}).get("Code", "")


def pages(call, key, token_in="PageToken", token_out="NextPageToken", **params):
    """Every item of a paged Service Catalog list."""
    while True:
        page = call(**params)
        yield from page.get(key, [])
        params[token_in] = page.get(token_out)
        if not params[token_in]:
            return


def find_stack(cloudformation, name):
    """The stack `name`, or None when CloudFormation answers that it does not exist (its
    ValidationError "Stack with id NAME does not exist"; any other error is raised)."""
    try:
        return cloudformation.describe_stacks(StackName=name)["Stacks"][0]
    except ClientError as error:
        if "does not exist" in str(error):
            return None
        raise


def shared_policy_names(cloudfront):
    """The names of the account's cfsign response headers policies."""
    listed = cloudfront.list_response_headers_policies(Type="custom")
    return [p["ResponseHeadersPolicy"]["ResponseHeadersPolicyConfig"]["Name"]
            for p in listed["ResponseHeadersPolicyList"].get("Items", [])
            if p["ResponseHeadersPolicy"]["ResponseHeadersPolicyConfig"]["Name"].startswith(
                SHARED_POLICIES)]


class Cleanup:
    """One run's cleanup: `clients(service)` gives boto3 clients, `say(text)` reports."""

    def __init__(self, clients, say, poll=10, timeout=3600):
        self.clients = clients
        self.say = say
        self.poll = poll
        self.timeout = timeout
        self.left = []

    def attempt(self, what, action):
        try:
            action()
            return True
        except ClientError as error:
            self.left.append(f"{what}: {code(error)}: {error.response['Error'].get('Message')}")
        except TimeoutError as error:
            self.left.append(f"{what}: {error}")
        return False

    def wait(self, what, done):
        deadline = time.monotonic() + self.timeout
        while not done():
            if time.monotonic() > deadline:
                raise TimeoutError(f"gave up waiting for {what} after {self.timeout} s")
            time.sleep(self.poll)

    # --- teams --------------------------------------------------------------------------------

    def describe(self, name):
        """The provisioned product `name`, or None."""
        catalog = self.clients("servicecatalog")
        try:
            return catalog.describe_provisioned_product(Name=name)["ProvisionedProductDetail"]
        except ClientError as error:
            if code(error) == "ResourceNotFoundException":
                return None
            raise

    def team_products(self, team):
        """The team's provisioned products, in teardown order (looked up by their names, not
        searched: a search index lags behind)."""
        found = (self.describe(f"cfsign-{team}-{short}") for short in TEARDOWN_ORDER)
        return [product for product in found if product]

    def terminate(self, product):
        name = product["Name"]
        # A run cut short can leave a launch or update going: Service Catalog refuses to
        # terminate a product under change.
        self.wait(f"{name} to settle", lambda: (self.describe(name) or {}).get(
            "Status", "AVAILABLE") in SETTLED)
        if not self.describe(name):
            return
        outputs = self.outputs(product)
        if "BucketName" in outputs:
            self.empty_bucket(outputs["BucketName"])
        if "TableName" in outputs:
            self.clients("dynamodb").update_table(TableName=outputs["TableName"],
                                                  DeletionProtectionEnabled=False)
        catalog = self.clients("servicecatalog")
        # A new token each time: the same token would answer with an earlier, failed record.
        record = catalog.terminate_provisioned_product(
            ProvisionedProductId=product["Id"],
            TerminateToken=f"cleanup-{time.time_ns()}")["RecordDetail"]["RecordId"]
        # "You can check the status of this request using DescribeRecord."
        self.wait(f"{name} to terminate", lambda: self.record_done(record))
        self.say(f"terminated {name}")

    def record_done(self, record_id):
        catalog = self.clients("servicecatalog")
        detail = catalog.describe_record(Id=record_id)["RecordDetail"]
        if detail["Status"] == "FAILED":
            errors = "; ".join(e.get("Description", "") for e in detail.get("RecordErrors", []))
            raise TimeoutError(f"terminating failed: {errors}")
        return detail["Status"] == "SUCCEEDED"

    def outputs(self, product):
        catalog = self.clients("servicecatalog")
        try:
            found = pages(catalog.get_provisioned_product_outputs, "Outputs",
                          ProvisionedProductId=product["Id"])
            return {o["OutputKey"]: o["OutputValue"] for o in found}
        except ClientError:
            return {}

    def delete_secret(self, name):
        """Deleted at once (no recovery window); already scheduled or gone is no error."""
        secrets = self.clients("secretsmanager")
        try:
            secrets.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
        except ClientError as error:
            if code(error) != "ResourceNotFoundException":
                raise
        self.say(f"deleted secret {name} (no recovery window)")

    def secret_gone(self, name):
        """Force deletion finishes in the background: the secret is gone once DescribeSecret
        no longer finds it."""
        try:
            self.clients("secretsmanager").describe_secret(SecretId=name)
            return False
        except ClientError as error:
            if code(error) == "ResourceNotFoundException":
                return True
            raise

    def remove_team(self, team):
        for product in self.team_products(team):
            self.attempt(product["Name"], lambda p=product: self.terminate(p))
        self.delete_secret(f"cfsign/{team}/signing-key")

    # --- buckets ------------------------------------------------------------------------------

    def empty_bucket(self, bucket):
        """Deletes every version and delete marker (the buckets are versioned)."""
        s3 = self.clients("s3")
        try:
            for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
                doomed = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                          for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
                if doomed:
                    s3.delete_objects(Bucket=bucket, Delete={"Objects": doomed, "Quiet": True})
        except ClientError as error:
            if code(error) != "NoSuchBucket":
                raise

    def delete_bucket(self, bucket):
        self.empty_bucket(bucket)
        try:
            self.clients("s3").delete_bucket(Bucket=bucket)
            self.say(f"deleted bucket {bucket}")
        except ClientError as error:
            if code(error) != "NoSuchBucket":
                raise

    # --- the catalog --------------------------------------------------------------------------

    def portfolios(self, prefix):
        catalog = self.clients("servicecatalog")
        return [p for p in pages(catalog.list_portfolios, "PortfolioDetails")
                if p["DisplayName"].startswith(f"{prefix}-")]

    def delete_portfolio(self, portfolio):
        """Everything that holds the portfolio goes first: DeletePortfolio refuses while it has
        products, principals, constraints or shares (the run shares with no account)."""
        catalog = self.clients("servicecatalog")
        pid = portfolio["Id"]
        for constraint in pages(catalog.list_constraints_for_portfolio, "ConstraintDetails",
                                PortfolioId=pid):
            catalog.delete_constraint(Id=constraint["ConstraintId"])
        for principal in pages(catalog.list_principals_for_portfolio, "Principals",
                               PortfolioId=pid):
            catalog.disassociate_principal_from_portfolio(
                PortfolioId=pid, PrincipalARN=principal["PrincipalARN"],
                PrincipalType=principal["PrincipalType"])
        for product in pages(catalog.search_products_as_admin, "ProductViewDetails",
                             PortfolioId=pid):
            catalog.disassociate_product_from_portfolio(
                ProductId=product["ProductViewSummary"]["ProductId"], PortfolioId=pid)
        catalog.delete_portfolio(Id=pid)
        self.say(f"deleted portfolio {portfolio['DisplayName']}")

    def remove_portfolios(self, prefix):
        for portfolio in self.portfolios(prefix):
            self.attempt(portfolio["DisplayName"], lambda p=portfolio: self.delete_portfolio(p))

    def run_product_ids(self, name, portfolio):
        """The ids of the products named `name` that publish tagged for the run's portfolio: a
        product of that name published later by anyone else is not the run's."""
        catalog, ids = self.clients("servicecatalog"), []
        for product in pages(catalog.search_products_as_admin, "ProductViewDetails",
                             Filters={"FullTextSearch": [name]}):
            summary = product["ProductViewSummary"]
            if summary["Name"] != name:
                continue
            tags = catalog.describe_product_as_admin(Id=summary["ProductId"]).get("Tags", [])
            if {"Key": "cfsign:portfolio", "Value": portfolio} in tags:
                ids.append(summary["ProductId"])
            else:
                self.say(f"product {name} ({summary['ProductId']}) is not tagged "
                         f"cfsign:portfolio={portfolio}, so not the run's: left alone")
        return ids

    def delete_product(self, name, portfolio):
        catalog = self.clients("servicecatalog")
        for product_id in self.run_product_ids(name, portfolio):
            catalog.delete_product(Id=product_id)
            self.say(f"deleted product {name}")

    def runs_stack(self, name, bucket):
        """Whether the stack `name` exists and is the run's: publish deployed it with the run's
        artifact bucket."""
        stack = find_stack(self.clients("cloudformation"), name)
        if stack is None:
            return False
        parameters = {p["ParameterKey"]: p.get("ParameterValue")
                      for p in stack.get("Parameters", [])}
        if parameters.get("ArtifactBucketName") != bucket:
            self.say(f"stack {name}: its ArtifactBucketName is not {bucket}, so not the run's: "
                     "left alone")
            return False
        return stack["StackStatus"] != "DELETE_COMPLETE"

    def delete_launch_role_stack(self, name, bucket):
        if not self.runs_stack(name, bucket):
            return
        cloudformation = self.clients("cloudformation")
        cloudformation.delete_stack(StackName=name)
        self.wait(f"stack {name} to be deleted", lambda: self.stack_gone(name))
        self.say(f"deleted stack {name}")

    def stack_gone(self, name):
        stack = find_stack(self.clients("cloudformation"), name)
        if stack is None:
            return True
        if stack["StackStatus"] == "DELETE_FAILED":
            raise TimeoutError(f"deleting failed: {stack.get('StackStatusReason')}")
        return stack["StackStatus"] == "DELETE_COMPLETE"

    def delete_shared_policies(self, before):
        """The shared response headers policies the account did not hold before the run."""
        cloudfront = self.clients("cloudfront")
        listed = cloudfront.list_response_headers_policies(Type="custom")
        for item in listed["ResponseHeadersPolicyList"].get("Items", []):
            policy = item["ResponseHeadersPolicy"]
            name = policy["ResponseHeadersPolicyConfig"]["Name"]
            if name.startswith(SHARED_POLICIES) and name not in before:
                etag = cloudfront.get_response_headers_policy(Id=policy["Id"])["ETag"]
                if self.attempt(f"response headers policy {name}", lambda i=policy["Id"], e=etag:
                                cloudfront.delete_response_headers_policy(Id=i, IfMatch=e)):
                    self.say(f"deleted response headers policy {name}")

    # --- what is left -------------------------------------------------------------------------

    def leftovers(self, state):
        """What still carries a name of the run, found by listing the account."""
        teams = state.get("teams", [])

        def named(name):
            return any(name == f"cfsign-{t}" or name.startswith(f"cfsign-{t}-") for t in teams)

        cloudfront, found = self.clients("cloudfront"), []

        def items(call, key, **params):
            return call(**params)[key].get("Items", [])

        listings = {
            "distribution": lambda: [
                ", ".join(d["Aliases"].get("Items", []))
                for page in cloudfront.get_paginator("list_distributions").paginate()
                for d in page["DistributionList"].get("Items", [])
                if any(a.startswith(f"{t}.") for t in teams for a in d["Aliases"].get("Items", []))],
            "public key": lambda: [k["Name"] for k in items(
                cloudfront.list_public_keys, "PublicKeyList") if named(k["Name"])],
            "key group": lambda: [g["KeyGroup"]["KeyGroupConfig"]["Name"] for g in items(
                cloudfront.list_key_groups, "KeyGroupList")
                if named(g["KeyGroup"]["KeyGroupConfig"]["Name"])],
            "origin access control": lambda: [o["Name"] for o in items(
                cloudfront.list_origin_access_controls, "OriginAccessControlList")
                if named(o["Name"])],
            "function": lambda: [f["Name"] for f in items(
                cloudfront.list_functions, "FunctionList") if named(f["Name"])],
            "response headers policy": lambda: [
                n for n in shared_policy_names(cloudfront)
                if n not in state.get("shared_policies_before", [])],
            "IAM role": lambda: [r["RoleName"] for page in self.clients("iam").get_paginator(
                "list_roles").paginate() for r in page["Roles"] if named(r["RoleName"])],
            "table": lambda: [t for page in self.clients("dynamodb").get_paginator(
                "list_tables").paginate() for t in page["TableNames"] if named(t)],
            "bucket": lambda: [b["Name"] for b in self.clients("s3").list_buckets()["Buckets"]
                               if named(b["Name"]) or b["Name"] == state.get("artifact_bucket")],
            "alias record": lambda: [
                f"{r['Name']} {r['Type']}" for page in self.clients("route53").get_paginator(
                    "list_resource_record_sets").paginate(HostedZoneId=state["hosted_zone_id"])
                for r in page["ResourceRecordSets"]
                if any(r["Name"] == f"{t}.{state['domain']}." for t in teams)]
            if state.get("hosted_zone_id") else [],
            "secret": lambda: [f"cfsign/{t}/signing-key" for t in teams
                               if not self.eventually(lambda t=t: self.secret_gone(
                                   f"cfsign/{t}/signing-key"))],
            "provisioned product": lambda: [
                p["Name"] for t in teams for p in self.team_products(t)],
            "portfolio": lambda: [p["DisplayName"] for p in self.portfolios(state["portfolio"])]
            if state.get("portfolio") else [],
            "product": lambda: [n for n in state.get("products", [])
                                if self.run_product_ids(n, state.get("portfolio"))],
            "stack": lambda: [state["launch_role_stack"]] if state.get("launch_role_stack")
            and self.runs_stack(state["launch_role_stack"], state.get("artifact_bucket")) else [],
        }
        for kind, listing in listings.items():
            try:
                found += [f"{kind} {name}: still there" for name in listing()]
            except ClientError as error:
                found.append(f"{kind}s: could not be listed ({code(error)})")
        return found

    def eventually(self, check, attempts=12):
        """Whether `check` comes true within `attempts` polls (for what AWS finishes in the
        background)."""
        for attempt in range(attempts):
            if check():
                return True
            if attempt < attempts - 1:
                time.sleep(self.poll)
        return False

    # --- the whole run ------------------------------------------------------------------------

    def run(self, state):
        """Removes what `state` says the run made; returns what is left, with the reasons."""
        teams_gone = all([self.attempt(f"team {team}", lambda team=team: self.remove_team(team))
                          for team in state.get("teams", [])])
        teams_gone = teams_gone and not any(self.team_products(t) for t in state.get("teams", []))
        if not teams_gone:
            self.left.append("the portfolios, products and launch role are kept while a team's "
                             "provisioned product remains: Service Catalog terminates it with "
                             "the launch role")
            return self.left + self.leftovers(state)
        if state.get("portfolio"):
            self.attempt(f"portfolios {state['portfolio']}-*",
                         lambda: self.remove_portfolios(state["portfolio"]))
            for name in state.get("products", []):
                self.attempt(f"product {name}",
                             lambda name=name: self.delete_product(name, state["portfolio"]))
        if state.get("launch_role_stack"):
            self.attempt(f"stack {state['launch_role_stack']}",
                         lambda: self.delete_launch_role_stack(state["launch_role_stack"],
                                                               state.get("artifact_bucket")))
        if state.get("artifact_bucket"):
            self.attempt(f"bucket {state['artifact_bucket']}",
                         lambda: self.delete_bucket(state["artifact_bucket"]))
        self.attempt("response headers policies",
                     lambda: self.delete_shared_policies(state.get("shared_policies_before", [])))
        return self.left + self.leftovers(state)
