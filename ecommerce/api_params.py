"""Query parameters that several contexts' APIs read the same way."""

from rest_framework.exceptions import ValidationError

MAX_SKUS_PER_LOOKUP = 200


def requested_skus(request) -> list[str]:
    """The SKUs of a batch lookup (`?sku=A&sku=B`), empty ones dropped.

    Raises ValidationError (a 400 naming `sku`) when there are none or more than MAX_SKUS_PER_LOOKUP.
    """
    skus = [sku for sku in request.query_params.getlist("sku") if sku]
    if not skus:
        raise ValidationError({"sku": "give at least one ?sku="})
    if len(skus) > MAX_SKUS_PER_LOOKUP:
        raise ValidationError({"sku": f"at most {MAX_SKUS_PER_LOOKUP} SKUs per request, not {len(skus)}"})
    return skus
