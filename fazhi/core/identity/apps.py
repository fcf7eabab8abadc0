from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "fazhi.core.identity"
    label = "identity"
    verbose_name = _("证件号码保护")

    def ready(self) -> None:
        from fazhi.core.identity import conf, crypto
        from fazhi.core.identity.checks import check_identity_keys

        # Deploy-only: a development checkout without a key can still migrate and run checks.
        checks.register(check_identity_keys, checks.Tags.security, deploy=True)
        if conf.identity_key() is not None:
            # A key that is set but malformed stops the start, rather than the first save.
            crypto.keyring()
