"""`Idempotency-Key` on the API's POSTs: a retried request is answered, not done again."""
