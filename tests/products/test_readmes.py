"""Every product's README documents the product: each template parameter in its Parameters
table and each output in its Outputs table, and nothing there that the template lacks (a
renamed parameter leaves the README wrong otherwise)."""
import re

import pytest

from cfn import PRODUCTS, load

PRODUCT_DIRS = sorted(p.parent for p in PRODUCTS.glob("*/template.yaml"))


def table_names(readme, heading):
    """The first-column names (`Name`) of the table under `## heading`."""
    match = re.search(rf"^## {heading}\s*$(.*?)(?=^## |\Z)", readme, re.M | re.S)
    assert match, f"no '## {heading}' section"
    return set(re.findall(r"^\|\s*`([A-Za-z0-9]+)`\s*\|", match.group(1), re.M))


@pytest.mark.parametrize("product", PRODUCT_DIRS, ids=lambda p: p.name)
def test_every_parameter_and_output_is_documented(product):
    template = load(product.name)
    readme = (product / "README.md").read_text()
    parameters = set(template.get("Parameters", {}))
    outputs = set(template.get("Outputs", {}))
    assert table_names(readme, "Parameters") == parameters
    assert table_names(readme, "Outputs") == outputs


@pytest.mark.parametrize("product", PRODUCT_DIRS, ids=lambda p: p.name)
def test_every_readme_has_an_example_and_security_notes(product):
    readme = (product / "README.md").read_text()
    for section in ("Example", "Security notes"):
        assert re.search(rf"^## {section}\s*$", readme, re.M), f"no '## {section}'"
