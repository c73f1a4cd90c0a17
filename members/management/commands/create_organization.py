from django.core.management.base import BaseCommand, CommandError

from members import services


class Command(BaseCommand):
    help = (
        "Create an organization and its first owner: an existing account with the address "
        "becomes owner; otherwise an invitation is e-mailed and its link printed."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="The organization's name.")
        parser.add_argument("--owner", required=True, metavar="EMAIL", help="The owner's e-mail.")

    def handle(self, *args, name, owner, **options):
        try:
            organization, membership, link = services.create_organization(
                name=name, owner_email=owner
            )
        except services.InvitationError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Created {organization.name} (slug {organization.slug}).")
        if membership:
            self.stdout.write(f"{membership.user.get_username()} ({owner}) is its owner.")
        else:
            # Sent when the invitation committed, before create_organization returned.
            invitation = organization.invitations.get()
            if invitation.delivery_error:
                self.stdout.write(
                    f"The invitation e-mail to {owner} was NOT delivered "
                    f"({invitation.delivery_error}). Pass on its link yourself (works once):"
                )
            else:
                self.stdout.write(f"Invitation e-mailed to {owner}. Its link (works once):")
            self.stdout.write(link)
