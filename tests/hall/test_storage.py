"""Files appear whole or not at all: a write that fails midway leaves nothing under the name a
row would point to, and a name already taken is never overwritten."""

import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from hall.storage import AtomicFileSystemStorage


@pytest.fixture
def storage(tmp_path):
    return AtomicFileSystemStorage(location=tmp_path)


class Breaks(ContentFile):
    """Content whose second chunk cannot be read: a disk full or a worker killed midway."""

    def chunks(self, chunk_size=None):
        yield b"first half"
        raise OSError("no space left on device")


def test_the_hall_stores_files_through_the_atomic_storage():
    assert isinstance(default_storage, AtomicFileSystemStorage)


def test_a_file_is_stored_whole_and_readable(storage, tmp_path):
    name = storage.save("records/2026/a.pdf", ContentFile(b"%PDF-1.7 whole"))
    assert storage.open(name).read() == b"%PDF-1.7 whole"
    assert oct(os.stat(storage.path(name)).st_mode & 0o777) == oct(0o644)
    assert [p.name for p in (tmp_path / "records" / "2026").iterdir()] == ["a.pdf"]


def test_a_write_that_fails_midway_leaves_no_file_at_all(storage, tmp_path):
    with pytest.raises(OSError, match="no space"):
        storage.save("records/2026/a.pdf", Breaks(b""))
    assert not storage.exists("records/2026/a.pdf")
    assert list((tmp_path / "records" / "2026").iterdir()) == []


def test_a_taken_name_is_never_overwritten(storage):
    first = storage.save("records/a.pdf", ContentFile(b"one"))
    second = storage.save("records/a.pdf", ContentFile(b"two"))
    assert first != second
    assert storage.open(first).read() == b"one"
    assert storage.open(second).read() == b"two"


def test_a_name_taken_between_the_check_and_the_link_gets_the_next_free_name(storage):
    # given: another process creates the name after save() chose it
    class Racing(AtomicFileSystemStorage):
        def get_available_name(self, name, max_length=None):
            chosen = super().get_available_name(name, max_length)
            if not os.path.exists(self.path("records/a.pdf")):
                os.makedirs(self.path("records"), exist_ok=True)
                with open(self.path("records/a.pdf"), "wb") as other:
                    other.write(b"theirs")
            return chosen

    racing = Racing(location=storage.location)
    # when
    name = racing.save("records/a.pdf", ContentFile(b"ours"))
    # then: theirs is intact, ours is under another name
    assert name != "records/a.pdf"
    assert racing.open("records/a.pdf").read() == b"theirs"
    assert racing.open(name).read() == b"ours"
