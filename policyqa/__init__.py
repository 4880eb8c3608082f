"""policyqa: question answering with section-level citations over policy documents."""

__version__ = "0.1.0"
