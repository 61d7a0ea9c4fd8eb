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
]
