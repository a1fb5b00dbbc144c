"""SearchProvisionedProducts as full-text search (servicecatalog/search.py): a query matches
words, so it returns more than the exact name; unsorted results change order from page to
page; sorted by createdTime, every page read gives each product once."""
import pytest

from emulator_testing import unique
from servicecatalog_testing import new_catalog, provisioned


@pytest.fixture(scope="module")
def products(endpoint):
    catalog = new_catalog(endpoint)
    prefix = unique("srch")
    teams = ["beta", "alpha", "alpha2"] + [f"t{n}" for n in range(9)]
    names = [f"{prefix}-{team}-keys" for team in teams]
    for name in names:
        provisioned(catalog, name, name)
    return catalog["sc"], names


def search(sc, *terms, **extra):
    found = sc.search_provisioned_products(Filters={"SearchQuery": list(terms)}, **extra)
    return [p["Name"] for p in found["ProvisionedProducts"]]


def test_a_name_query_matches_words_of_the_name_not_the_whole_name(products):
    sc, (beta, alpha, alpha2, *_) = products
    found = search(sc, f"name:{alpha}", PageSize=100)
    assert {beta, alpha, alpha2} <= set(found)
    assert search(sc, "name:nothing-like-it") == []


def test_a_bare_query_matches_any_searchable_field(products):
    sc, (beta, *_) = products
    pp = sc.describe_provisioned_product(Name=beta)["ProvisionedProductDetail"]
    unique_word = pp["Id"].split("-", 1)[1]  # "pp" is a word of every id
    assert search(sc, unique_word) == [beta]
    assert beta in search(sc, pp["Id"], PageSize=100)
    assert beta in search(sc, f"productId:{pp['ProductId']}", PageSize=100)


def test_every_term_of_the_query_must_match(products):
    sc, (beta, alpha, *_) = products
    pp = sc.describe_provisioned_product(Name=beta)["ProvisionedProductDetail"]
    assert search(sc, f"name:{alpha}", f"id:{pp['Id'].split('-', 1)[1]}") == [beta]


def test_unsorted_results_change_order_between_pages_and_sorted_ones_do_not(products):
    sc, names = products
    prefix = names[0].rsplit("-", 2)[0]
    term = f"name:{prefix}"

    def read(**extra):
        seen, token = [], None
        while True:
            page = sc.search_provisioned_products(Filters={"SearchQuery": [term]}, PageSize=1,
                                                  **({"PageToken": token} if token else {}),
                                                  **extra)
            seen += [p["Name"] for p in page["ProvisionedProducts"]]
            token = page.get("NextPageToken")
            if not token:
                return seen

    unsorted = read()
    assert len(unsorted) == len(names) and set(unsorted) != set(names)  # repeats and misses
    ordered = read(SortBy="createdTime", SortOrder="ASCENDING")
    assert ordered == names
    assert read(SortBy="name", SortOrder="DESCENDING") == sorted(names, reverse=True)
