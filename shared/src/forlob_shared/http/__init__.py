"""HTTP pieces every service uses: problem+json errors, bearer-JWT auth, health and metrics."""
