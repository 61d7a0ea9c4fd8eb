from django.urls import path

from . import views

app_name = "audits"
urlpatterns = [
    path("<int:ws>/", views.overview, name="overview"),
    path("<int:ws>/audit/<slug:family>/", views.family, name="family"),
    path("<int:ws>/audit/<slug:family>/<slug:chart>.svg", views.chart, name="chart"),
    path("<int:ws>/inbox/", views.inbox, name="inbox"),
    path("<int:ws>/inbox/mark/", views.mark, name="mark"),
    path("<int:ws>/inbox/request/", views.request_thread, name="request"),
    path("<int:ws>/inbox.csv", views.inbox_csv, name="inbox-csv"),
    path("<int:ws>/report.<slug:fmt>", views.report, name="report"),
]
