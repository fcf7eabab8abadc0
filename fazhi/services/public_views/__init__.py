"""Portal pages of the services app, one module per area."""
