"""ms_ml: Models, versions and stages, training jobs and deployments."""
