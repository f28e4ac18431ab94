"""The workspace's addresses (contract §5)."""

from django.urls import path

from . import (console, dashboard_editor, dashboards, views_admin, views_analyses, views_api, views_auth,
               views_embed, views_graph,
               views_import, views_pack, views_pages)

handler400 = "workspace.views_errors.bad_request"
handler403 = "workspace.views_errors.permission_denied"
handler404 = "workspace.views_errors.not_found"
handler500 = "workspace.views_errors.server_error"

urlpatterns = [
    path("login", views_auth.login, name="login"),
    path("logout", views_auth.logout, name="logout"),
    path("", views_pages.home, name="home"),
    path("search", views_pages.search_results, name="search"),
    path("org/<str:oid>", views_pages.organization, name="organization"),
    path("watermark.svg", views_pages.watermark, name="watermark"),
    path("analyses/", views_analyses.analysis_list, name="analyses"),
    path("analyses/<str:name>", views_analyses.analysis_page, name="analysis"),
    path("analyses/<str:name>/download.<str:fmt>", views_analyses.analysis_download, name="analysis-download"),
    path("views/chain/<str:sector>", views_graph.chain_page, name="chain"),
    path("views/assets/<str:name>", views_graph.view_asset),
    path("views/<str:kind>", views_graph.view_page, name="view"),
    path("api/views/expand/<str:oid>", views_graph.api_expand),
    path("api/views/<str:kind>", views_graph.api_view),
    path("import", views_import.import_page, name="import"),
    path("import/plan", views_import.import_plan),
    path("import/apply", views_import.import_apply),
    path("pack", views_pack.pack_page, name="pack"),
    path("pack/start", views_pack.pack_start),
    path("pack/<int:job_id>/status", views_pack.pack_status),
    path("pack/<int:job_id>/<str:name>", views_pack.pack_file),
    path("admin/audit", views_admin.audit_page, name="audit"),
    path("api/search", views_api.api_search),
    path("api/organizations/<str:oid>", views_api.api_organization),
    path("api/analyses", views_analyses.api_analyses),
    path("api/analyses/<str:name>", views_analyses.api_analysis),
    path("api/audit", views_api.api_audit),
    path("console", console.console_page, name="console"),
    path("console/download.<str:fmt>", console.console_download, name="console-download"),
    path("api/cypher", console.api_cypher),
    path("api/cypher/cancel", console.api_cancel),
    path("api/console/history", console.api_history),
    path("api/console/params", console.api_params),
    path("api/console/graph", views_embed.api_console_graph),
    path("console/graph/<str:token>", views_embed.console_graph_page),
    path("api/queries", console.api_queries_root),
    path("api/queries/<str:name>", console.api_saved),
    path("queries/", console.saved_list_page, name="saved-queries"),
    path("queries/<str:name>", console.saved_page, name="saved-query"),
    path("dashboards/", dashboards.dashboard_list, name="dashboards"),
    path("dashboards/new", dashboard_editor.new_dashboard, name="dashboard-new"),
    path("dashboards/<str:slug>", dashboards.dashboard_page, name="dashboard"),
    path("dashboards/<str:slug>/edit", dashboard_editor.edit_dashboard, name="dashboard-edit"),
    path("dashboards/<str:slug>/export.json", dashboards.dashboard_export, name="dashboard-export"),
    path("dashboards/<str:slug>/tiles/<int:index>", views_embed.tile_frame, name="dashboard-tile"),
    path("api/dashboards", dashboards.api_dashboard_import),
]
