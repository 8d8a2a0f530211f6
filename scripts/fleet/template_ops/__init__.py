"""The service template's mechanics: releases, stamping, updating, drift and export of services."""
