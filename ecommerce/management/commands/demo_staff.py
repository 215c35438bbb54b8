"""Create (or reset) the demo staff account and print how to log in with it."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

DEMO_USERNAME = "staff"
DEMO_PASSWORD = "shop-demo-staff"  # noqa: S105 - a published demo credential, never used in production


class Command(BaseCommand):
    help = "Create the demo staff user (idempotent) and print its credentials."

    def handle(self, *args, **options):
        user, created = get_user_model().objects.get_or_create(
            username=DEMO_USERNAME, defaults={"email": "staff@example.com"}
        )
        user.is_staff = True
        user.is_superuser = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        verb = "Created" if created else "Reset"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} demo staff user: username '{DEMO_USERNAME}', password '{DEMO_PASSWORD}'")
        )
        self.stdout.write("Log in at http://127.0.0.1:8000/admin/")
