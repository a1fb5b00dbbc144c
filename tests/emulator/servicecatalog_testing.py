"""Helpers for the Service Catalog tests: a portfolio holding a small product (an SNS topic
named after its Greeting parameter) launched with the cfsign launch role, and record waits."""
import json
import time
import uuid

from emulator_testing import client, product_stack, unique

TEMPLATE = {
    "Parameters": {"Greeting": {"Type": "String"},
                   "Team": {"Type": "String", "Default": "platform"}},
    "Resources": {"Topic": {"Type": "AWS::SNS::Topic",
                            "Properties": {"TopicName": {"Fn::Sub": "sc-${Greeting}"}}}},
    "Outputs": {"TopicName": {"Value": {"Fn::GetAtt": ["Topic", "TopicName"]},
                              "Description": "the topic"},
                "Greeting": {"Value": {"Ref": "Greeting"}}},
}
BUCKET = "sc-artifacts"


def template_url(endpoint, key, body):
    s3 = client(endpoint, "s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key=key, Body=body)
    return f"{endpoint}/{BUCKET}/{key}"


def launch_role(endpoint):
    """The cfsign launch role (products/launch-role), deployed once; its ARN."""
    cfn = client(endpoint, "cloudformation")
    try:
        stack = cfn.describe_stacks(StackName="sc-launch-role")["Stacks"][0]
        return next(o["OutputValue"] for o in stack["Outputs"] if o["OutputKey"] == "RoleArn")
    except cfn.exceptions.ClientError:
        role = product_stack(endpoint, "sc-launch-role", "launch-role", {
            "ArtifactBucketName": BUCKET, "RoleName": "cfsign-sc-launch"})["RoleArn"]
    # The test products make SNS topics, which cfsign's launch role does not manage.
    client(endpoint, "iam").put_role_policy(
        RoleName="cfsign-sc-launch", PolicyName="test-topics", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "sns:*", "Resource": "*"}]}))
    return role


def new_product(sc, endpoint, name, key="topic/v1.json", body=None):
    """A product with one artifact; (product id, artifact id)."""
    url = template_url(endpoint, key, body or json.dumps(TEMPLATE))
    product = sc.create_product(
        Name=name, Owner="platform", ProductType="CLOUD_FORMATION_TEMPLATE",
        ProvisioningArtifactParameters={"Name": "v1", "Type": "CLOUD_FORMATION_TEMPLATE",
                                        "Info": {"LoadTemplateFromURL": url}})
    return (product["ProductViewDetail"]["ProductViewSummary"]["ProductId"],
            product["ProvisioningArtifactDetail"]["Id"])


def new_catalog(endpoint, name=None, **product):
    """A portfolio with one product (one artifact) and a launch constraint."""
    sc = client(endpoint, "servicecatalog")
    role = launch_role(endpoint)
    portfolio = sc.create_portfolio(DisplayName=name or unique("sc"), ProviderName="platform",
                                    Description="test portfolio")["PortfolioDetail"]
    product_id, artifact_id = new_product(sc, endpoint, unique("sc-topic"), **product)
    sc.associate_product_with_portfolio(ProductId=product_id, PortfolioId=portfolio["Id"])
    sc.create_constraint(PortfolioId=portfolio["Id"], ProductId=product_id, Type="LAUNCH",
                         Parameters=json.dumps({"RoleArn": role}))
    return {"sc": sc, "portfolio": portfolio, "product_id": product_id,
            "artifact_id": artifact_id, "launch_role": role}


def wait(sc, record_id):
    """(the settled DescribeRecord answer, every status seen)."""
    statuses = []
    while True:
        detail = sc.describe_record(Id=record_id)
        status = detail["RecordDetail"]["Status"]
        statuses.append(status)
        if status not in ("CREATED", "IN_PROGRESS", "IN_PROGRESS_IN_ERROR"):
            return detail, statuses
        time.sleep(0.05)


def provision(catalog, name, greeting, sc=None, **extra):
    """Launches the catalog's product; the record (not waited for)."""
    parameters = [{"Key": "Greeting", "Value": greeting}] + extra.pop("parameters", [])
    record = (sc or catalog["sc"]).provision_product(
        ProductId=catalog["product_id"], ProvisioningArtifactId=catalog["artifact_id"],
        ProvisionedProductName=name, ProvisionToken=extra.pop("token", str(uuid.uuid4())),
        ProvisioningParameters=parameters, **extra)
    return record["RecordDetail"]


def provisioned(catalog, name, greeting, sc=None, **extra):
    """Launches and waits; the settled record detail."""
    sc = sc or catalog["sc"]
    return wait(sc, provision(catalog, name, greeting, sc=sc, **extra)["RecordId"])[0]


def outputs_of(detail):
    return {o["OutputKey"]: o["OutputValue"] for o in detail["RecordOutputs"]}
