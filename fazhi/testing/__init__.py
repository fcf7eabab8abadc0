"""The test kit: factories, the permission matrix, query counting, the browser fixture."""
