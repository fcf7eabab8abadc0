"""Notifications (core.notify): in-app inbox, e-mail, SMS adapters, periodic sweeps."""
