"""Service Catalog launches as the launch constraint's role (servicecatalog/launch.py): the
template is read from Service Catalog's tagged copy with the role's credentials, the stack call
and every resource handler's permissions are authorized for the role's "servicecatalog"
session; a refusal fails the record with the reason, the stack rolled back."""
import json

from moto.s3.models import s3_backends

from emulator_testing import ACCOUNT, REGION, allow, client, make_role, unique
from servicecatalog_testing import new_product, provisioned, wait

from servicecatalog import launch

SC_TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "servicecatalog.amazonaws.com"},
    "Action": "sts:AssumeRole"}]}
READ_COPIES = allow("s3:GetObject", Condition={"StringEquals": {
    "s3:ExistingObjectTag/servicecatalog:provisioning": "true"}})
RUN_STACKS = allow(["cloudformation:CreateStack", "cloudformation:UpdateStack",
                    "cloudformation:DeleteStack", "cloudformation:DescribeStacks"],
                   f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/SC-*")
TOPICS = ["sns:CreateTopic", "sns:TagResource", "sns:Subscribe", "sns:GetTopicAttributes",
          "sns:PutDataProtectionPolicy", "sns:DeleteTopic"]


def topics_allowed(*actions):
    return allow(list(actions), f"arn:aws:sns:{REGION}:{ACCOUNT}:sc-*")


def catalog_with_role(endpoint, *statements):
    """A portfolio whose one product (an SNS topic sc-<Greeting>) launches as a new role."""
    role = make_role(endpoint, *statements, trust=SC_TRUST)
    sc = client(endpoint, "servicecatalog")
    portfolio = sc.create_portfolio(DisplayName=unique("launch"), ProviderName="platform")
    product_id, artifact_id = new_product(sc, endpoint, unique("launch-topic"))
    sc.associate_product_with_portfolio(ProductId=product_id,
                                        PortfolioId=portfolio["PortfolioDetail"]["Id"])
    sc.create_constraint(PortfolioId=portfolio["PortfolioDetail"]["Id"], ProductId=product_id,
                         Type="LAUNCH", Parameters=json.dumps({"RoleArn": role}))
    return {"sc": sc, "product_id": product_id, "artifact_id": artifact_id, "role": role}


def error_of(detail):
    assert detail["RecordDetail"]["Status"] == "FAILED", detail
    [error] = detail["RecordDetail"]["RecordErrors"]
    return error["Description"]


def session_of(catalog):
    return f"arn:aws:sts::{ACCOUNT}:assumed-role/{catalog['role'].rsplit('/', 1)[-1]}/" \
           "servicecatalog"


def stack_status(endpoint, detail):
    stack = next(o["OutputValue"] for o in detail.get("RecordOutputs", [])
                 if o["OutputKey"] == "CloudformationStackARN") if detail.get("RecordOutputs") \
        else None
    return client(endpoint, "cloudformation").describe_stacks(
        StackName=stack)["Stacks"][0]["StackStatus"] if stack else None


def test_a_handler_permission_the_launch_role_lacks_fails_the_launch(endpoint):
    catalog = catalog_with_role(endpoint, READ_COPIES, RUN_STACKS,
                                topics_allowed(*[a for a in TOPICS if a != "sns:TagResource"]))
    greeting = unique("no-tag")
    detail = provisioned(catalog, unique("pp"), greeting)
    message = error_of(detail)
    assert message.startswith(
        f'Topic (AWS::SNS::Topic): Resource handler returned message: "User: '
        f"{session_of(catalog)} is not authorized to perform: sns:TagResource on resource: "
        f"arn:aws:sns:{REGION}:{ACCOUNT}:sc-{greeting}")
    pp = catalog["sc"].describe_provisioned_product(
        Id=detail["RecordDetail"]["ProvisionedProductId"])["ProvisionedProductDetail"]
    assert pp["Status"] == "ERROR"
    topics = {t["TopicArn"] for t in client(endpoint, "sns").list_topics()["Topics"]}
    assert f"arn:aws:sns:{REGION}:{ACCOUNT}:sc-{greeting}" not in topics


def test_the_template_is_read_from_the_tagged_copy_with_the_launch_roles_credentials(endpoint):
    catalog = catalog_with_role(endpoint, RUN_STACKS, topics_allowed(*TOPICS))
    assert error_of(provisioned(catalog, unique("pp"), unique("no-copy"))) == \
        launch.UNREADABLE_TEMPLATE


def test_the_launch_role_needs_the_stack_call(endpoint):
    catalog = catalog_with_role(endpoint, READ_COPIES, topics_allowed(*TOPICS))
    message = error_of(provisioned(catalog, unique("pp"), unique("no-stack")))
    assert message.startswith(f"User: {session_of(catalog)} is not authorized to perform: "
                              f"cloudformation:CreateStack on resource: arn:aws:cloudformation:"
                              f"{REGION}:{ACCOUNT}:stack/SC-{ACCOUNT}-pp-")


def test_a_launch_role_with_every_permission_launches_and_terminates(endpoint):
    catalog = catalog_with_role(endpoint, READ_COPIES, RUN_STACKS, topics_allowed(*TOPICS))
    detail = provisioned(catalog, unique("pp"), unique("full"))
    assert detail["RecordDetail"]["Status"] == "SUCCEEDED", detail
    service_s3 = s3_backends[launch.SERVICE_ACCOUNT]["aws"]
    copies = list(service_s3.buckets[f"servicecatalog-provisioning-artifacts-{REGION}"]
                  .keys.values())
    assert copies and all(service_s3.get_object_tagging(key)["Tags"] == [launch.PROVISIONING_TAG]
                          for key in copies)
    record = catalog["sc"].terminate_provisioned_product(
        ProvisionedProductId=detail["RecordDetail"]["ProvisionedProductId"],
        TerminateToken=unique("t"))["RecordDetail"]
    assert wait(catalog["sc"], record["RecordId"])[0]["RecordDetail"]["Status"] == "SUCCEEDED"


def test_a_delete_the_launch_role_may_not_make_fails_the_termination(endpoint):
    catalog = catalog_with_role(endpoint, READ_COPIES, RUN_STACKS,
                                topics_allowed(*[a for a in TOPICS if a != "sns:DeleteTopic"]))
    detail = provisioned(catalog, unique("pp"), unique("keep"))
    record = catalog["sc"].terminate_provisioned_product(
        ProvisionedProductId=detail["RecordDetail"]["ProvisionedProductId"],
        TerminateToken=unique("t"))["RecordDetail"]
    message = error_of(wait(catalog["sc"], record["RecordId"])[0])
    assert message.startswith('Topic (AWS::SNS::Topic): Resource handler returned message: "User: '
                              f"{session_of(catalog)} is not authorized to perform: "
                              "sns:DeleteTopic")
