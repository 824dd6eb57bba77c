"""HTTP: the FastAPI app, its routes, authentication, permissions and problem documents."""
