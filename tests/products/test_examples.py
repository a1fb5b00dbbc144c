"""The scheduled-rotation setups in examples/rotation/: the CloudFormation one passes
cfn-lint, the others are valid YAML, and every one runs recipes/rotate.rhai without
overlapping runs."""
import subprocess
import sys
from pathlib import Path

import yaml

from cfn import REPO

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
