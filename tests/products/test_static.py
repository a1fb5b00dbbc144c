"""Static validation of every template: cfn-lint, the repository's cfn-guard rules (each proven
able to fail by its failing examples), and checkov."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cfn import PRODUCTS, REPO

RULES = PRODUCTS / "guard" / "rules"
EXAMPLES = PRODUCTS / "guard" / "examples"
TEMPLATES = sorted(PRODUCTS.glob("*/template.yaml"))
TOOLS = Path(sys.executable).parent

# Which rules must PASS (not merely be skipped) on which product: a rule that silently stops
# applying to the template it protects would otherwise go unnoticed.
MUST_APPLY = {
    "s3-bucket": ["s3_bucket_private", "s3_bucket_tls_only", "s3_bucket_oac_only"],
    "cloudfront-distribution": ["cloudfront_oac_only", "cloudfront_https_tls12",
                                "cloudfront_trusted_key_groups"],
    "integration-role": ["iam_no_wildcards"],
    "launch-role": ["iam_managed_policies_no_wildcards"],
    "automation-role": ["iam_managed_policies_no_wildcards"],
    "private-key-secret": ["secret_encrypted_no_key_material", "no_private_key_parameters"],
}


def tool(name):
    path = os.environ.get(name.upper().replace("-", "_")) or shutil.which(name, path=str(TOOLS)) \
        or shutil.which(name)
    if not path:
        pytest.fail(f"{name} is not installed: run tests/products/run, which installs it "
                    f"(cfn-guard: `cargo install cfn-guard --version 3.2.1 --locked`)")
    return path


def guard(rules, data):
    """Runs cfn-guard; returns {rule name: PASS | FAIL | SKIP}."""
    result = subprocess.run([tool("cfn-guard"), "validate", "-r", str(rules), "-d", str(data),
                             "--show-summary", "all"], capture_output=True, text=True)
    assert result.returncode in (0, 19), result.stderr  # 19: some rule failed
    statuses = dict(re.findall(r"^\S+\.guard/(\S+)\s+(PASS|FAIL|SKIP)\s*$", result.stdout, re.M))
    assert statuses, result.stdout + result.stderr
    return statuses


def test_cfn_lint_reports_nothing():
    result = subprocess.run([tool("cfn-lint"), *map(str, TEMPLATES)], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr


RULE_FILES = sorted(RULES.glob("*.guard"))


@pytest.mark.parametrize("rule_file", RULE_FILES, ids=lambda p: p.stem)
def test_every_rule_has_passing_and_failing_examples(rule_file):
    examples = sorted((EXAMPLES / rule_file.stem).glob("*.yaml"))
    passing = [e for e in examples if e.name.startswith("pass")]
    failing = [e for e in examples if e.name.startswith("fail")]
    assert passing and failing, f"{rule_file.stem} needs pass*.yaml and fail*.yaml examples"
    for example in passing:
        statuses = guard(rule_file, example)
        assert "FAIL" not in statuses.values() and "PASS" in statuses.values(), \
            f"{example.name}: {statuses}"
    for example in failing:
        assert "FAIL" in guard(rule_file, example).values(), f"{example.name} did not fail"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.parent.name)
def test_products_comply_with_every_rule(template):
    statuses = guard(RULES, template)
    failed = [rule for rule, status in statuses.items() if status == "FAIL"]
    assert not failed, f"{template.parent.name} fails {failed}"
    for rule in MUST_APPLY.get(template.parent.name, []):
        assert statuses.get(rule) == "PASS", f"{rule} on {template.parent.name}: {statuses}"


def test_checkov_finds_nothing_unjustified():
    result = subprocess.run(
        [tool("checkov"), "--directory", str(PRODUCTS), "--framework", "cloudformation",
         "--skip-path", "guard/examples", "--quiet", "--compact", "--skip-download",
         "--output", "cli"],
        capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    summary = re.search(r"Passed checks: (\d+), Failed checks: (\d+), Skipped checks: (\d+)",
                        result.stdout)
    assert summary, result.stdout
    passed, failed, _skipped = map(int, summary.groups())
    assert failed == 0 and passed > 0, result.stdout


def test_every_checkov_skip_is_justified():
    for template in TEMPLATES:
        text = template.read_text()
        for match in re.finditer(r"- id: (CKV\w+)\n\s+comment: (.+)", text):
            assert len(match.group(2).strip()) > 20, f"{template}: {match.group(1)} unjustified"
