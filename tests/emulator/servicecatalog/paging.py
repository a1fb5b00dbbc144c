"""Paged answers as the Service Catalog API gives them: at most PageSize items (the model's
range, 0..20 for most operations and 0..100 for SearchProvisionedProducts and
DescribePortfolioShares, is enforced by validation.py), then an opaque NextPageToken to pass
back as PageToken, absent on the last page.

AWS publishes no default page size; 20 (the largest most operations accept) is used when
PageSize is absent or 0.
"""
import base64
import binascii

from .state import invalid

DEFAULT_SIZE = 20


def token_for(offset):
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def offset_of(token):
    """Where a page token says the next page starts (0 for none); a token this emulator did
    not hand out is refused."""
    if not token:
        return 0
    try:
        kind, _, number = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
        if kind == "offset" and number.isdigit():
            return int(number)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise invalid("The page token is not valid.")


def page(items, params):
    """(this page's items, the next page's token or None)."""
    start = offset_of(params.get("PageToken"))
    size = params.get("PageSize") or DEFAULT_SIZE
    end = start + size
    return items[start:end], (token_for(end) if end < len(items) else None)
