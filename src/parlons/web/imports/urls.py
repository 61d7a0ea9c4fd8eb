from django.urls import path

from . import collect_views, views

app_name = "imports"
urlpatterns = [
    path("<int:ws>/imports/", views.upload, name="upload"),
    path("<int:ws>/imports/<int:job>/", views.job_status, name="job"),
    path("<int:ws>/collect/", collect_views.sources, name="collect"),
    path("<int:ws>/collect/<int:source>/run/", collect_views.run_source, name="collect-again"),
    path("<int:ws>/collect/<int:source>/remove/", collect_views.remove_source, name="collect-remove"),
    path("<int:ws>/collect/runs/<int:run>/", collect_views.run_status, name="collect-run"),
]
