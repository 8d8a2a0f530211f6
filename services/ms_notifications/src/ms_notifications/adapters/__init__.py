"""The channels notifications leave by: SMTP for email, Web Push for browsers and devices."""
