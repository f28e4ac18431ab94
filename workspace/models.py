"""The workspace's own data: the audit trail, saved queries, dashboards, meeting-pack jobs.

None of it lives in a store: a store travels between colleagues, this stays with the server.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

__all__ = ["Access", "AuditEvent", "AppendOnly", "ConsoleRun", "ConsoleParams", "Dashboard"]


class AppendOnly(Exception):
    """An audit row was to be changed or deleted."""


class Access(models.Model):
    """Holds the workspace's permissions (no table): the roles are groups of these."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("use_workspace", "使用工作台：检索、机构画像、视图、分析、看板、会商材料包"),
            ("use_console", "使用 Cypher 控制台，保存查询和看板"),
            ("export_data", "下载数据（CSV、XLSX）"),
            ("import_lists", "导入名单并重建图谱"),
            ("manage_accounts", "管理账户和角色"),
            ("read_audit", "查看审计记录"),
        ]


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("the audit trail is append-only")

    def delete(self):
        raise AppendOnly("the audit trail is append-only")


class AuditEvent(models.Model):
    """One thing that happened: who, when, what, with what outcome. Rows are only ever added."""

    time = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.CharField(max_length=150, blank=True, db_index=True)
    action = models.CharField(max_length=40, db_index=True)
    detail = models.JSONField(default=dict)
    address = models.CharField(max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["time", "id"]
        default_permissions = ()

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnly("the audit trail is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("the audit trail is append-only")


class PackJob(models.Model):
    """A meeting pack being made (or made) on the server."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    created = models.DateTimeField(auto_now_add=True)
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(max_length=10, default="queued")  # queued, running, done, failed
    progress = models.CharField(max_length=200, blank=True)
    folder = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        default_permissions = ()


class ConsoleRun(models.Model):
    """A statement an analyst ran in the console: the history (searchable, re-runnable) of one account."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="console_runs")
    time = models.DateTimeField(auto_now_add=True, db_index=True)
    statement = models.TextField()
    params = models.JSONField(default=dict)
    rows = models.IntegerField(null=True)
    ms = models.IntegerField(null=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-time", "-id"]
        default_permissions = ()


class ConsoleParams(models.Model):
    """The console's parameters panel of one account (the equivalent of `:param`), kept between visits."""

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="console_params")
    params = models.JSONField(default=list)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        default_permissions = ()


class Dashboard(models.Model):
    """An ordered set of tiles (analyses or saved queries with a renderer), for the roles it names."""

    slug = models.SlugField(max_length=64, unique=True)
    title = models.CharField(max_length=100)
    roles = models.JSONField(default=list)
    tiles = models.JSONField(default=list)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]
        default_permissions = ()
