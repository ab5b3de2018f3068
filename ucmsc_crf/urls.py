from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from ucmsc_crf.views import home

admin.site.site_header = "UC-MSC eCRF"
admin.site.site_title = "UC-MSC eCRF"
admin.site.index_title = "Review and data management"

urlpatterns = [
    path("", home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("participants/", include("patients.urls")),
    path("admin/", admin.site.urls),
]
