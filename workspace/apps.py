"""The Django application of the workspace: its signals are connected when Django is ready."""

from django.apps import AppConfig


class WorkspaceApp(AppConfig):
    name = "workspace"
    label = "workspace"
    verbose_name = "京津冀中试生态工作台"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import accounts, audit

        accounts.connect()
        audit.connect()
