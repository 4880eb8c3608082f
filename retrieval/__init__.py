"""policyqa."""
