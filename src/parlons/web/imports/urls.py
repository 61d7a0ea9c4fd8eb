from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("<int:ws>/imports/", views.upload, name="upload"),
    path("<int:ws>/imports/<int:job>/", views.job_status, name="job"),
]
