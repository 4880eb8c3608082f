"""Domain errors. Library code raises these; only the CLI and the app turn them into messages."""


class PolicyQAError(Exception):
    """Base class: the message is written for the user and says what to do.

    `str(exc)` is the English message the CLI prints; `zh`, when given, says the same in Chinese for
    the app, whose users read Chinese (`in_chinese()` falls back to the English one)."""

    def __init__(self, message: str = "", zh: str = ""):
        super().__init__(message)
        self.zh = zh

    def in_chinese(self) -> str:
        """The message for the Chinese UI; an error with no Chinese wording is framed in Chinese,
        its English text kept as the detail an administrator needs."""
        return self.zh or f"出现了问题，请联系管理员（详情：{self}）"

    def renamed(self, old: str, new: str):
        """The same error with every `old` (a temp file's name) replaced by `new`, in both languages."""
        return type(self)(str(self).replace(old, new), zh=self.zh.replace(old, new))


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

    def __init__(self, message: str, files: tuple[str, ...] = (), zh: str = ""):
        super().__init__(message, zh)
        self.files = tuple(files)  # the damaged index files, relative to the index folder


class IndexFormatError(IndexFolderError):
    """The index folder was written in another format, by another policyqa version."""


class LLMError(PolicyQAError):
    """The configured language model is missing or failed."""


class QuestionError(PolicyQAError):
    """A question the engine will not take (too long); the message is in the question's language."""
