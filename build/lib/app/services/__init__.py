"""Use cases, one transaction each. Services never see a Request; they return results to render."""
