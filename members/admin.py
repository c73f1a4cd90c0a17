from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services
from .models import Invitation


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Staff invite people (the first owner of a new organization, say) as owners do."""

    list_display = [
        "email",
        "organization",
        "role",
        "state_display",
        "sent_at",
        "delivered_at",
        "delivery_error",
        "expires_at",
    ]
    list_filter = ["role", "organization"]
    search_fields = ["email", "organization__name"]
    fields = ["organization", "email", "role", "affiliation"]
    actions = ["send_invitation"]

    @admin.display(description=gettext_lazy("state"))
    def state_display(self, obj):
        return obj.get_state_display()

    def has_change_permission(self, request, obj=None):
        # An invitation is not edited: it is revoked or sent again.
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        try:
            invitation, link = services.invite_member(
                organization=obj.organization,
                email=obj.email,
                role=obj.role,
                affiliation=obj.affiliation,
                by=request.user,
            )
        except services.InvitationError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        obj.pk = invitation.pk
        # The admin's save is one transaction: the e-mail goes out when it commits,
        # after this message; its delivery shows in the list.
        sent = _(
            "Invitation to %(email)s made; the e-mail goes out now and its delivery shows "
            "in the list. The link: %(link)s"
        )
        self.message_user(request, sent % {"email": obj.email, "link": link})

    def response_add(self, request, obj, post_url_continue=None):
        return self.response_post_save_add(request, obj)

    def log_addition(self, request, obj, message):
        if obj.pk:
            super().log_addition(request, obj, message)

    @admin.action(description=gettext_lazy("Send invitation (again) to the selected people"))
    def send_invitation(self, request, queryset):
        for invitation in queryset.select_related("organization"):
            try:
                services.resend_invitation(invitation=invitation, by=request.user)
            except services.InvitationError as exc:
                self.message_user(request, f"{invitation.email}: {exc}", messages.WARNING)
            else:
                invitation.refresh_from_db(fields=["delivered_at", "delivery_error"])
                if invitation.delivery_error:
                    self.message_user(
                        request,
                        _("Not delivered to %(email)s: %(reason)s")
                        % {"email": invitation.email, "reason": invitation.delivery_error},
                        messages.ERROR,
                    )
                else:
                    self.message_user(
                        request, _("Sent to %(email)s.") % {"email": invitation.email}
                    )
