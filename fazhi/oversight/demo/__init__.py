"""Demo data of the oversight app, one module per area, built in order by `build`."""
