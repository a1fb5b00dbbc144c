"""Service Catalog's full-text search: SearchProvisionedProducts' SearchQuery and
SearchProductsAsAdmin's FullTextSearch match words, not whole values, so a search returns more
than the exact name asked for; and SearchProvisionedProducts without SortBy is not sorted.

Sources: SearchProvisionedProducts (API reference): "When the key is SearchQuery, the
searchable fields are arn, createdTime, id, lastRecordId, idempotencyToken, name, physicalId,
productId, provisioningArtifactId, type, status, tags, userArn, userArnSession,
lastProvisioningRecordId, lastSuccessfulProvisioningRecordId, productName, and
provisioningArtifactName. Example: "SearchQuery":["status:AVAILABLE"]"; SortBy: "If no value is
specified, the results are not sorted"; and its note "To ensure a complete list of provisioned
products and remove duplicate products, use sort-by createdTime". That full-text search matches
any word of the query: boto3#2144 (FullTextSearch "Orange Blue" also returned, first, the
product "Orange Red - Apple"; AWS support: escape the whitespace). Words are split at every
character that is not a letter or digit, as a full-text index's standard analyzer does.

Modelled so: a query term "field:value" matches when any word of value is a word of that field;
a bare term matches any searchable field; every term of the list must match. Without SortBy the
order changes from page to page, so a paged read that does not sort may repeat or miss
products, as the note warns.
"""
import hashlib
import re

WORD = re.compile(r"[A-Za-z0-9]+")
SORT_FIELDS = {"arn": "Arn", "id": "Id", "name": "Name", "lastRecordId": "LastRecordId",
               "createdTime": "CreatedTime"}


def words(text):
    return {w.lower() for w in WORD.findall(str(text))}


def _matches(term, fields):
    field, sep, value = term.partition(":")
    if sep and field in fields:
        return bool(words(value) & words(fields[field]))
    wanted = words(term)
    return any(wanted & words(text) for text in fields.values())


def matches_all(terms, fields):
    return all(_matches(term, fields) for term in terms)


def product_matches(product, texts):
    """SearchProductsAsAdmin's FullTextSearch: any word of each text in the product's name,
    owner, description or distributor."""
    haystack = " ".join(product[k] for k in ("Name", "Owner", "Description", "Distributor"))
    return all(words(text) & words(haystack) for text in texts)


def ordered(items, params):
    """Items in the order SearchProvisionedProducts returns them for this page request."""
    field = SORT_FIELDS.get(params.get("SortBy"))
    if field:
        return sorted(items, key=lambda a: a[field],
                      reverse=params.get("SortOrder") == "DESCENDING")
    seed = params.get("PageToken") or ""
    return sorted(items, key=lambda a: hashlib.sha256(f"{seed}{a['Id']}".encode()).digest())
