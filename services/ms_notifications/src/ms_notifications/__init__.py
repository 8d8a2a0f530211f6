"""ms_notifications: In-app, email and push notifications and each user's preferences."""
