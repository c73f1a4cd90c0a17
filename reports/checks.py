"""System checks: issuing needs a usable signing certificate."""

from datetime import UTC, datetime

from django.core.checks import Error, Tags, register

from . import signing


@register(Tags.security, deploy=True)
def signing_identity_check(app_configs, **kwargs):
    try:
        signer = signing.signing_signer()
    except signing.SigningNotConfigured as exc:
        return [Error(str(exc), id="reports.E001")]
    not_after = signer.signing_cert.not_valid_after
    if not_after <= datetime.now(UTC):
        return [
            Error(
                f"The report-signing certificate expired on {not_after:%Y-%m-%d}; set "
                "REPORT_SIGNING_P12 to a valid one.",
                id="reports.E002",
            )
        ]
    return []
