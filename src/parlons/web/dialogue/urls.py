from django.urls import path

from . import views

app_name = "dialogue"
urlpatterns = [
    path("w/<int:ws>/comments/", views.comment, name="comment"),
    path("w/<int:ws>/reviews/", views.review, name="review"),
    path("notifications/", views.notifications, name="notifications"),
]
