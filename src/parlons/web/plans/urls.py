from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("<int:ws>/plan/", views.plan, name="plan"),
    path("<int:ws>/plan/start/", views.start, name="start"),
    path("<int:ws>/plan/upload/", views.upload, name="upload"),
    path("<int:ws>/plan/objective/", views.objective, name="objective"),
    path("<int:ws>/plan/v<int:number>.yaml", views.download, name="download"),
    path("<int:ws>/plan/v<int:number>/diff/", views.version_diff, name="diff"),
    path("<int:ws>/plan/interview/", views.interview, name="interview"),
    path("<int:ws>/plan/interview/restart/", views.interview_restart, name="interview-restart"),
    path("<int:ws>/plan/interview/<slug:step>/", views.interview_step, name="interview-step"),
    path("<int:ws>/plan/fit/", views.fit, name="fit"),
    path("<int:ws>/plan/kpis/", views.kpis, name="kpis"),
]
