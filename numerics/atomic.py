"""Output files written whole or not at all: a temporary file next to the target, renamed
over it (``os.replace``, atomic on one file system) only when writing finished. An interrupted
run (Ctrl-C, an error) leaves no file that looks complete, and never half of an old one.

>>> import os, tempfile
>>> target = os.path.join(tempfile.mkdtemp(), "out.txt")
>>> with atomic_path(target) as tmp:
...     _ = open(tmp, "w").write("done")
>>> open(target).read()
'done'
>>> try:
...     with atomic_path(target) as tmp:
...         _ = open(tmp, "w").write("half")
...         raise KeyboardInterrupt
... except KeyboardInterrupt:
...     pass
>>> open(target).read(), sorted(os.listdir(os.path.dirname(target)))
('done', ['out.txt'])
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_path", "write_text"]


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[str]:
    """A temporary path in the target's folder, with the target's suffix (so writers that
    choose the format by extension, e.g. matplotlib's ``savefig``, still do); renamed to
    ``path`` when the block ends normally, removed when it raises (KeyboardInterrupt too)."""
    target = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=f".part{target.suffix}",
                                   dir=target.parent if str(target.parent) else ".")
    except OSError as exc:  # name the file asked for, not the temporary one
        raise type(exc)(exc.errno, exc.strerror, str(target)) from None
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # the permissions a plain open(path, "w") would give
    try:
        yield tmp
        try:
            os.replace(tmp, target)
        except OSError as exc:  # e.g. the target is a folder: name it, not the temporary file
            raise type(exc)(exc.errno, exc.strerror, str(target)) from None
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> None:
    """``Path(path).write_text(text)``, atomically."""
    with atomic_path(path) as tmp:
        Path(tmp).write_text(text, encoding=encoding)
