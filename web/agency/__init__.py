"""The agency officer's pages: self-assessment, draft save, evidence, the explanation round, the
Excel template and its import."""
