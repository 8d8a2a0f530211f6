"""Repositories: the domain's repository protocols implemented on the service's store."""
