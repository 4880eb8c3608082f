"""Domain errors. Library code raises these; only the CLI and the app turn them into messages."""


class PolicyQAError(Exception):
    """Base class: the message is written for the user and says what to do."""


class SettingsError(PolicyQAError):
    """A setting has a value policyqa cannot use."""


class DocumentError(PolicyQAError):
    """A corpus file cannot be read or parsed."""


class EmbedderError(PolicyQAError):
    """The embedding model is missing or cannot be loaded."""


class IndexFolderError(PolicyQAError):
    """The index folder is missing, damaged, or does not match the settings."""


class IndexDamagedError(IndexFolderError):
    """Files of the index folder do not match the checksums recorded when it was built."""

    def __init__(self, message: str, files: tuple[str, ...] = ()):
        super().__init__(message)
        self.files = tuple(files)  # the damaged index files, relative to the index folder


class IndexFormatError(IndexFolderError):
    """The index folder was written in another format, by another policyqa version."""


class LLMError(PolicyQAError):
    """The configured language model is missing or failed."""


class QuestionError(PolicyQAError):
    """A question the engine will not take (too long); the message is in the question's language."""
