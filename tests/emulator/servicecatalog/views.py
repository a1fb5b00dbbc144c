"""The shapes Service Catalog answers with (the model's PortfolioDetail, ProductViewDetail,
ProvisioningArtifactDetail, ConstraintDetail, PortfolioShareDetail, ProvisionedProductDetail,
ProvisionedProductAttribute, RecordDetail), made from the stored state."""


def _pick(item, keys):
    return {k: item[k] for k in keys}


def portfolio(p):
    return _pick(p, ("Id", "ARN", "DisplayName", "Description", "CreatedTime", "ProviderName"))


def portfolio_reply(p):
    return {"PortfolioDetail": portfolio(p), "Tags": p["Tags"]}


def product(product):
    summary = _pick(product, ("Name", "Owner", "Distributor", "SupportEmail",
                              "SupportDescription", "SupportUrl"))
    summary.update({"Id": product["ViewId"], "ProductId": product["Id"],
                    "ShortDescription": product["Description"], "Type": product["Type"],
                    "HasDefaultPath": False})
    return {"ProductViewSummary": summary, "Status": "AVAILABLE",
            "ProductARN": product["ARN"], "CreatedTime": product["CreatedTime"]}


def artifact(a):
    return _pick(a, ("Id", "Name", "Description", "Type", "CreatedTime", "Active", "Guidance"))


def artifact_reply(a):
    return {"ProvisioningArtifactDetail": artifact(a), "Info": {"TemplateUrl": a["TemplateUrl"]},
            "Status": "AVAILABLE"}


def constraint(c):
    return _pick(c, ("ConstraintId", "Type", "Description", "Owner", "ProductId", "PortfolioId"))


def constraint_reply(c):
    return {"ConstraintDetail": constraint(c), "ConstraintParameters": c["Parameters"],
            "Status": "AVAILABLE"}


def share(s):
    return _pick(s, ("PrincipalId", "Type", "Accepted", "ShareTagOptions", "SharePrincipals"))


def provisioned(pp):
    return _pick(pp, ("Name", "Arn", "Type", "Id", "Status", "StatusMessage", "CreatedTime",
                      "IdempotencyToken", "LastRecordId", "LastProvisioningRecordId",
                      "LastSuccessfulProvisioningRecordId", "ProductId",
                      "ProvisioningArtifactId", "LaunchRoleArn"))


def provisioned_attributes(catalog, pp):
    product_ = catalog.products.get(pp["ProductId"])
    artifact_ = next((a for a in (product_ or {}).get("Artifacts", [])
                      if a["Id"] == pp["ProvisioningArtifactId"]), None)
    attributes = _pick(pp, ("Name", "Arn", "Type", "Id", "Status", "StatusMessage",
                            "CreatedTime", "IdempotencyToken", "LastRecordId",
                            "LastProvisioningRecordId", "LastSuccessfulProvisioningRecordId",
                            "Tags", "ProductId", "ProvisioningArtifactId"))
    attributes.update(pp["Owner"])
    attributes["PhysicalId"] = pp["StackName"]
    attributes["ProductName"] = product_["Name"] if product_ else ""
    attributes["ProvisioningArtifactName"] = artifact_["Name"] if artifact_ else ""
    return attributes


def record(r):
    return _pick(r, ("RecordId", "ProvisionedProductName", "Status", "CreatedTime",
                     "UpdatedTime", "ProvisionedProductType", "RecordType",
                     "ProvisionedProductId", "ProductId", "ProvisioningArtifactId", "PathId",
                     "RecordErrors", "RecordTags", "LaunchRoleArn"))
