"""Removes what one run of the real-account suite made, whatever step it stopped at, with boto3
rather than cfsign: the cleanup must work even when the cfsign under test does not.

It removes only what the run's state file (acceptance.py) says the run made: the teams' provisioned
products, buckets' contents and signing-key secrets, the portfolios named after the run's prefix,
and the products, launch-role stack and artifact bucket the account did not hold before the run.
Every removal is tried even when an earlier one fails; `run` returns what is left behind, each
with the reason, so the report can say exactly what to delete by hand.
"""
import time

from botocore.exceptions import ClientError

# Provisioned products (cfsign-TEAM-SHORT, SHORT being a product.json's provisionedAs) leave in
# this order, each one's dependents first: recipes/teardown.rhai's order.
TEARDOWN_ORDER = ("role", "table", "cdn", "bucket", "keys", "secret")
TERMINAL = {"AVAILABLE", "TAINTED", "ERROR"}


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
        except ClientError as error:
            self.left.append(f"{what}: {code(error)}: {error.response['Error'].get('Message')}")
        except TimeoutError as error:
            self.left.append(f"{what}: {error}")

    # --- teams --------------------------------------------------------------------------------

    def team_products(self, team):
        """The team's provisioned products (cfsign-TEAM-SHORT), in teardown order."""
        catalog = self.clients("servicecatalog")
        found = pages(catalog.search_provisioned_products, "ProvisionedProducts",
                      AccessLevelFilter={"Key": "Account", "Value": "self"},
                      Filters={"SearchQuery": [f"name:{team}"]}, SortBy="createdTime")
        named = {p["Name"]: p for p in found if p["Name"].startswith(f"cfsign-{team}-")}
        order = {f"cfsign-{team}-{short}": i for i, short in enumerate(TEARDOWN_ORDER)}
        return sorted(named.values(), key=lambda p: order.get(p["Name"], len(order)))

    def terminate(self, product):
        catalog = self.clients("servicecatalog")
        # A run cut short can leave a launch or update going: Service Catalog refuses to
        # terminate a product under change.
        self.wait(f"{product['Name']} to settle", lambda: self.settled(product["Id"]))
        outputs = self.outputs(product)
        if "BucketName" in outputs:
            self.empty_bucket(outputs["BucketName"])
        if "TableName" in outputs:
            self.clients("dynamodb").update_table(TableName=outputs["TableName"],
                                                  DeletionProtectionEnabled=False)
        catalog.terminate_provisioned_product(ProvisionedProductId=product["Id"],
                                              TerminateToken=f"cleanup-{product['Id']}")
        self.wait(f"{product['Name']} to terminate",
                  lambda: self.gone_or_failed(product["Id"]))
        self.say(f"terminated {product['Name']}")

    def outputs(self, product):
        try:
            found = pages(self.clients("servicecatalog").get_provisioned_product_outputs,
                          "Outputs", ProvisionedProductId=product["Id"])
            return {o["OutputKey"]: o["OutputValue"] for o in found}
        except ClientError:
            return {}

    def settled(self, product_id):
        detail = self.clients("servicecatalog").describe_provisioned_product(
            Id=product_id)["ProvisionedProductDetail"]
        return detail["Status"] in TERMINAL

    def gone_or_failed(self, product_id):
        try:
            detail = self.clients("servicecatalog").describe_provisioned_product(
                Id=product_id)["ProvisionedProductDetail"]
        except ClientError as error:
            if code(error) == "ResourceNotFoundException":
                return True
            raise
        if detail["Status"] == "ERROR":
            raise TimeoutError(f"terminating failed: {detail.get('StatusMessage')}")
        return False

    def delete_secret(self, name):
        secrets = self.clients("secretsmanager")
        try:
            secrets.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
            self.say(f"deleted secret {name} (no recovery window)")
        except ClientError as error:
            if code(error) != "ResourceNotFoundException":
                raise

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
        products, principals, constraints or shares."""
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

    def delete_product(self, name):
        catalog = self.clients("servicecatalog")
        for product in pages(catalog.search_products_as_admin, "ProductViewDetails",
                             Filters={"FullTextSearch": [name]}):
            summary = product["ProductViewSummary"]
            if summary["Name"] == name:
                catalog.delete_product(Id=summary["ProductId"])
                self.say(f"deleted product {name}")

    def delete_stack(self, name):
        cloudformation = self.clients("cloudformation")
        cloudformation.delete_stack(StackName=name)
        self.wait(f"stack {name} to be deleted", lambda: self.stack_gone(name))
        self.say(f"deleted stack {name}")

    def stack_gone(self, name):
        try:
            stack = self.clients("cloudformation").describe_stacks(StackName=name)["Stacks"][0]
        except ClientError as error:
            if "does not exist" in str(error):
                return True
            raise
        if stack["StackStatus"] == "DELETE_FAILED":
            raise TimeoutError(f"deleting failed: {stack.get('StackStatusReason')}")
        return stack["StackStatus"] == "DELETE_COMPLETE"

    def wait(self, what, done):
        deadline = time.monotonic() + self.timeout
        while not done():
            if time.monotonic() > deadline:
                raise TimeoutError(f"gave up waiting for {what} after {self.timeout} s")
            time.sleep(self.poll)

    # --- the whole run ------------------------------------------------------------------------

    def remove_team(self, team):
        for product in self.team_products(team):
            self.attempt(product["Name"], lambda p=product: self.terminate(p))
        self.delete_secret(f"cfsign/{team}/signing-key")

    def remove_portfolios(self, prefix):
        for portfolio in self.portfolios(prefix):
            self.attempt(portfolio["DisplayName"], lambda p=portfolio: self.delete_portfolio(p))

    def leftovers(self, state):
        """What still carries a name of the run, found by listing the account rather than
        trusting the removals: so "everything is gone" is checked, not assumed."""
        names = [f"cfsign-{team}-" for team in state.get("teams", [])]
        named = lambda name: any(n in (name or "") for n in names)  # noqa: E731
        cloudfront, found = self.clients("cloudfront"), []
        listings = {
            "distribution": lambda: [
                ", ".join(d["Aliases"].get("Items", [])) for d in
                cloudfront.list_distributions()["DistributionList"].get("Items", [])
                if any(t in a for t in state.get("teams", []) for a in d["Aliases"].get(
                    "Items", []))],
            "public key": lambda: [k["Name"] for k in cloudfront.list_public_keys()[
                "PublicKeyList"].get("Items", []) if named(k["Name"])],
            "key group": lambda: [g["KeyGroup"]["KeyGroupConfig"]["Name"] for g in
                                  cloudfront.list_key_groups()["KeyGroupList"].get("Items", [])
                                  if named(g["KeyGroup"]["KeyGroupConfig"]["Name"])],
            "origin access control": lambda: [
                o["Name"] for o in cloudfront.list_origin_access_controls()[
                    "OriginAccessControlList"].get("Items", []) if named(o["Name"])],
            "function": lambda: [f["Name"] for f in cloudfront.list_functions()[
                "FunctionList"].get("Items", []) if named(f["Name"])],
            "IAM role": lambda: [r["RoleName"] for page in self.clients("iam").get_paginator(
                "list_roles").paginate() for r in page["Roles"] if named(r["RoleName"])],
            "bucket": lambda: [b["Name"] for b in self.clients("s3").list_buckets()["Buckets"]
                               if named(b["Name"]) or b["Name"] == state.get("artifact_bucket")],
            "secret": lambda: [x["Name"] for page in self.clients("secretsmanager").get_paginator(
                "list_secrets").paginate(IncludePlannedDeletion=True) for x in page["SecretList"]
                if any(x["Name"].startswith(f"cfsign/{t}/") for t in state.get("teams", []))],
            "provisioned product": lambda: [
                p["Name"] for t in state.get("teams", []) for p in self.team_products(t)],
            "portfolio": lambda: [p["DisplayName"] for p in self.portfolios(state["portfolio"])]
            if state.get("portfolio") else [],
        }
        for kind, listing in listings.items():
            try:
                found += [f"{kind} {name}: still there" for name in listing()]
            except ClientError as error:
                found.append(f"{kind}s: could not be listed ({code(error)})")
        return found

    def run(self, state):
        """Removes what `state` says the run made; returns what is left, with the reasons."""
        for team in state.get("teams", []):
            self.attempt(f"team {team}", lambda team=team: self.remove_team(team))
        if state.get("portfolio"):
            self.attempt(f"portfolios {state['portfolio']}-*",
                         lambda: self.remove_portfolios(state["portfolio"]))
        for name in state.get("products", []):
            self.attempt(f"product {name}", lambda name=name: self.delete_product(name))
        if state.get("launch_role_stack"):
            self.attempt(f"stack {state['launch_role_stack']}",
                         lambda: self.delete_stack(state["launch_role_stack"]))
        if state.get("artifact_bucket"):
            self.attempt(f"bucket {state['artifact_bucket']}",
                         lambda: self.delete_bucket(state["artifact_bucket"]))
        return self.left or self.leftovers(state)
