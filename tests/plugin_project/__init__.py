"""A minimal Django project standing in for the LMS in the plugin's tests
and benchmarks: it lists the plugin only through edx-django-utils' plugin
discovery (``get_plugin_apps`` / ``add_plugins``), as the LMS does."""
