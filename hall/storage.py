"""The hall's file storage: Django's file-system storage, but a file appears whole or not at all.

Django's own storage writes a new file in place, chunk by chunk: a worker killed or a disk that
fills mid-write leaves a truncated file under the very name a row will point to (an archived
record's copy, an attachment). Here the bytes go to a hidden ``.part`` file beside the final name,
are flushed to disk, and the finished file is linked into place, which never replaces a file that
is already there (a name taken meanwhile gets the next free name, as Django's storage does).
"""

from __future__ import annotations

import os
import tempfile

from django.core.files.storage import FileSystemStorage

PART_SUFFIX = ".part"


class AtomicFileSystemStorage(FileSystemStorage):
    def _save(self, name, content):
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        os.makedirs(directory, exist_ok=True)
        fd, part = tempfile.mkstemp(
            dir=directory, prefix=f".{os.path.basename(full_path)}.", suffix=PART_SUFFIX
        )
        try:
            with os.fdopen(fd, "wb") as handle:
                if hasattr(content, "seek"):
                    content.seek(0)
                for chunk in content.chunks():
                    handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(part, self.file_permissions_mode or 0o644)
            while True:
                if self._allow_overwrite:
                    os.replace(part, full_path)
                    break
                try:
                    os.link(part, full_path)
                    break
                except FileExistsError:
                    name = self.get_available_name(name)
                    full_path = self.path(name)
        finally:
            if os.path.exists(part):
                os.unlink(part)
        return str(name).replace("\\", "/")
