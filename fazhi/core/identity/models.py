"""No tables of its own: the mechanism gives other apps' models their fields (see fields.py)."""
