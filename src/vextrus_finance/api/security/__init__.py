"""The security edge: headers, CORS, CSRF, rate limits and request limits (installed by
`edge.install`)."""
