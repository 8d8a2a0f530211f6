"""The platform's Helm charts: generated from repos.yaml, rendered and validated offline."""
