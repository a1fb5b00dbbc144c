"""The emulator serves exactly the Service Catalog operations cfsign calls: the SDK calls in
src/aws/servicecatalog/, which the recipes' bindings go through (`.operation_name()` on a Service Catalog client,
named as botocore names the model's operations) against servicecatalog/api.py's OPERATIONS,
plus the few it serves only so tests can arrange an account (SETUP_OPERATIONS) and those the
real-account suite's cleanup calls through boto3 (CLEANUP_OPERATIONS)."""
import re
from pathlib import Path

from botocore import xform_name

import wire
from servicecatalog.api import CLEANUP_OPERATIONS, OPERATIONS, SETUP_OPERATIONS

BINDINGS = Path(__file__).parents[2] / "src" / "aws" / "servicecatalog"
CALL = re.compile(r"\.\s*([a-z][a-z0-9_]*)\(\)")
SUITE = Path(__file__).parents[1] / "aws-account"
# The Service Catalog client's methods the suite uses, called or passed to a pager:
# `catalog.delete_portfolio(`, `pages(catalog.list_portfolios, ...)`.
CLEANUP_CALL = re.compile(r"\bcatalog\.([a-z][a-z0-9_]*)\b")


def operations_the_bindings_call():
    names = {xform_name(op): op for op in wire.service_model("servicecatalog").operation_names}
    called = set()
    for source in BINDINGS.glob("*.rs"):
        called |= {names[m] for m in CALL.findall(source.read_text()) if m in names}
    return called


def test_the_bindings_are_found():
    called = operations_the_bindings_call()
    assert {"ProvisionProduct", "GetProvisionedProductOutputs", "ListPortfolios"} <= called


def test_every_operation_the_bindings_call_is_served():
    missing = operations_the_bindings_call() - set(OPERATIONS)
    assert not missing, f"the bindings call operations the emulator lacks: {sorted(missing)}"


def test_the_emulator_serves_no_operation_cfsign_does_not_call():
    extra = (set(OPERATIONS) - operations_the_bindings_call() - SETUP_OPERATIONS
             - CLEANUP_OPERATIONS)
    assert not extra, f"served but called by no binding: {sorted(extra)}"


def test_the_cleanup_operations_are_those_the_suite_calls_that_no_binding_does():
    names = {xform_name(op): op for op in wire.service_model("servicecatalog").operation_names}
    sources = [(SUITE / name).read_text() for name in ("cleanup.py", "acceptance.py")]
    called = {names[m] for text in sources for m in CLEANUP_CALL.findall(text) if m in names}
    assert called - operations_the_bindings_call() == CLEANUP_OPERATIONS
