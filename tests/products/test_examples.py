"""The scheduled-rotation setups in examples/rotation/: the CloudFormation one passes
cfn-lint, the others are valid YAML, every one runs recipes/rotate.rhai without
overlapping runs, and the CronJob's service account is the one the automation role's EKS trust
admits by default (products/automation-role)."""
import re
import subprocess
import sys
from pathlib import Path

import yaml

from cfn import REPO, load

ROTATION = REPO / "examples" / "rotation"
TOOLS = Path(sys.executable).parent


def test_the_eventbridge_template_passes_cfn_lint():
    result = subprocess.run([str(TOOLS / "cfn-lint"), str(ROTATION / "eventbridge-ecs.yaml")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_setup_runs_the_rotate_recipe():
    for name in ("eventbridge-ecs.yaml", "github-actions.yml", "kubernetes-cronjob.yaml",
                 "Dockerfile"):
        assert "recipes/rotate.rhai" in (ROTATION / name).read_text(), name


def test_the_workflow_and_the_cronjob_never_run_twice_at_once():
    workflow = yaml.safe_load((ROTATION / "github-actions.yml").read_text())
    assert workflow["concurrency"]["cancel-in-progress"] is False
    assert workflow["permissions"]["id-token"] == "write"
    documents = list(yaml.safe_load_all((ROTATION / "kubernetes-cronjob.yaml").read_text()))
    cronjob = next(d for d in documents if d["kind"] == "CronJob")
    assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"


def test_actions_are_pinned_by_commit():
    workflow = yaml.safe_load((ROTATION / "github-actions.yml").read_text())
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            if "uses" in step:
                action, _, ref = step["uses"].partition("@")
                assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{action} is pinned by {ref!r}, not a commit"


def test_images_are_pinned_by_digest():
    for line in (ROTATION / "Dockerfile").read_text().splitlines():
        if line.startswith("FROM "):
            image = line.split()[1]
            assert re.search(r"@sha256:[0-9a-f]{64}$", image), f"{image} is not pinned by digest"
    documents = list(yaml.safe_load_all((ROTATION / "kubernetes-cronjob.yaml").read_text()))
    cronjob = next(d for d in documents if d["kind"] == "CronJob")
    for container in cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]:
        assert re.search(r"@sha256:[0-9a-f]{64}$", container["image"]), container["image"]
    template = (ROTATION / "eventbridge-ecs.yaml").read_text()
    assert "@sha256:" in template and "AllowedPattern" in template


def test_the_workflow_does_not_keep_the_checkout_token():
    workflow = yaml.safe_load((ROTATION / "github-actions.yml").read_text())
    checkout = next(step for job in workflow["jobs"].values() for step in job["steps"]
                    if step.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["persist-credentials"] is False


def test_the_cronjob_runs_as_the_service_account_the_automation_role_trusts():
    parameters = load("automation-role")["Parameters"]
    documents = list(yaml.safe_load_all((ROTATION / "kubernetes-cronjob.yaml").read_text()))
    account = next(d for d in documents if d["kind"] == "ServiceAccount")["metadata"]
    assert (account["namespace"], account["name"]) == (
        parameters["EksNamespace"]["Default"], parameters["EksServiceAccount"]["Default"])
    assert "annotations" not in account, "the automation role trusts Pod Identity, not IRSA"
    cronjob = next(d for d in documents if d["kind"] == "CronJob")
    pod = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == account["name"]
