"""Settings package: base, dev, test, production; every value comes from env.py."""
