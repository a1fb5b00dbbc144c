"""Records, and the provisioned product status a record's outcome leaves.

Sources (API reference): ProvisionProduct, UpdateProvisionedProduct and
TerminateProvisionedProduct return a RecordDetail at once; DescribeRecord shows it IN_PROGRESS,
then SUCCEEDED or FAILED with its RecordErrors; the provisioned product is UNDER_CHANGE
meanwhile. ProvisionedProductDetail.Status:
- AVAILABLE: "the most recent operation succeeded and completed";
- TAINTED: "the stack has completed the requested operation but is not exactly what was
  requested. For example, a request to update to a new version failed and the stack rolled
  back to the current version" — a failed update of a product whose stack runs;
- ERROR: "The provisioned product exists but the stack is not running. For example,
  CloudFormation received a parameter value that was not valid and could not launch the
  stack" — a failed launch (the AWS CLI's scan-provisioned-products example shows such a
  product, "Parameters: [KeyName] must have values"); also a failed update of a product already
  in ERROR and a failed termination (the stack is left DELETE_FAILED, not running).
A successful termination removes the provisioned product; a failed one keeps it.
LastSuccessfulProvisioningRecordId, ProductId and ProvisioningArtifactId follow the last
request that succeeded. The record stays IN_PROGRESS for EMULATOR_RECORD_SECONDS (0.2 s), so
clients really wait.
"""
import os
import time

from .state import new_id

RECORD_SECONDS = float(os.environ.get("EMULATOR_RECORD_SECONDS", "0.2"))
PROVISION, UPDATE, TERMINATE = ("PROVISION_PRODUCT", "UPDATE_PROVISIONED_PRODUCT",
                                "TERMINATE_PROVISIONED_PRODUCT")


def new_record(catalog, pp, record_type, product_id, artifact_id, path_id, error):
    now = time.time()
    record = {
        "RecordId": new_id("rec-"), "ProvisionedProductName": pp["Name"],
        "Status": "IN_PROGRESS", "CreatedTime": now, "UpdatedTime": now,
        "ProvisionedProductType": "CFN_STACK", "RecordType": record_type,
        "ProvisionedProductId": pp["Id"], "ProductId": product_id,
        "ProvisioningArtifactId": artifact_id, "PathId": path_id,
        "RecordErrors": [] if error is None else [{"Code": "FAILED", "Description": error}],
        "RecordTags": pp["Tags"], "LaunchRoleArn": pp["LaunchRoleArn"], "Owner": pp["Owner"],
        "FinalStatus": "FAILED" if error else "SUCCEEDED", "DoneAt": now + RECORD_SECONDS,
        "StatusBefore": pp["Status"],
    }
    catalog.records[record["RecordId"]] = record
    pp["LastRecordId"] = pp["LastProvisioningRecordId"] = record["RecordId"]
    pp["Status"] = "UNDER_CHANGE"
    return record


def settle_record(record):
    if record["Status"] == "IN_PROGRESS" and time.time() >= record["DoneAt"]:
        record["Status"] = record["FinalStatus"]
        record["UpdatedTime"] = time.time()


def _failed_status(record):
    if record["RecordType"] == UPDATE and record["StatusBefore"] in ("AVAILABLE", "TAINTED"):
        return "TAINTED"
    return "ERROR"


def settle(catalog, pp):
    """Applies the outcome of the provisioned product's last record once it is done."""
    record = catalog.records.get(pp["LastRecordId"])
    if record is None or pp["Status"] != "UNDER_CHANGE":
        return
    settle_record(record)
    if record["Status"] == "IN_PROGRESS":
        return
    failed = record["Status"] == "FAILED"
    pp["StatusMessage"] = "; ".join(e["Description"] for e in record["RecordErrors"])
    if failed:
        pp["Status"] = _failed_status(record)
        return
    if record["RecordType"] == TERMINATE:
        catalog.provisioned.pop(pp["Id"], None)
        pp["Status"] = "TERMINATED"
        return
    pp["Status"] = "AVAILABLE"
    pp["LastSuccessfulProvisioningRecordId"] = record["RecordId"]
    pp["ProductId"] = record["ProductId"]
    pp["ProvisioningArtifactId"] = record["ProvisioningArtifactId"]
    pp["PathId"] = record["PathId"]


def settle_all(catalog):
    for pp in list(catalog.provisioned.values()):
        settle(catalog, pp)
