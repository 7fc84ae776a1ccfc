"""The stand-in LMS's URLs: the Django admin."""
from django.contrib import admin
from django.urls import path

urlpatterns = [path('admin/', admin.site.urls)]
