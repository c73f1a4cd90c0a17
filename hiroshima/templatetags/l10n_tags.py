"""Numbers the way the active language writes them."""

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext

register = template.Library()


@register.filter
def percent(value, decimals=1):
    """``81.25|percent`` → "81.3%" in the active locale's number format; "" for None."""
    if value is None or value == "":
        return ""
    return gettext("%(number)s%%") % {"number": floatformat(value, decimals)}
