"""Fixtures of the file store tests: a fresh in-memory storage per test and a fake clamd."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import struct
import tempfile
import threading

import pytest

from fazhi.core.files import uses
from fazhi.core.files.tests.samples import VIRUS_MARKER


@pytest.fixture(autouse=True)
def file_storage(settings):
    """Each test starts from an empty InMemoryStorage of its own (reassigning STORAGES resets
    Django's storage cache)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "fazhi_files_test": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    settings.FAZHI_FILES_STORAGE = "fazhi_files_test"
    settings.FAZHI_CLAMAV_SOCKET = ""
    from django.core.files.storage import storages

    return storages["fazhi_files_test"]


@pytest.fixture(autouse=True)
def file_logs(caplog):
    """The store's warnings and errors, captured (never printed) for tests to assert on."""
    caplog.set_level(logging.INFO, logger="fazhi.files")
    return caplog


@pytest.fixture
def restore_uses():
    """Let a test register uses, and put the registry back afterwards."""
    saved = dict(uses._USES)
    yield
    uses._USES.clear()
    uses._USES.update(saved)


def _read_exactly(conn: socket.socket, n: int) -> bytes:
    data = bytearray()
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise ConnectionError("client closed early")
        data += chunk
    return bytes(data)


class FakeClamd:
    """A clamd stand-in on a UNIX socket speaking INSTREAM; "found" when the marker is seen."""

    def __init__(self, path: str):
        self.path = path
        self.payloads: list[bytes] = []
        self.chunk_sizes: list[int] = []
        self.reply: bytes | None = None  # when set, answered whatever the content
        self._stop = threading.Event()
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(path)
        self._server.listen(4)
        self._server.settimeout(0.05)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _addr = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                try:
                    self._handle(conn)
                except (OSError, ConnectionError):
                    continue

    def _handle(self, conn: socket.socket) -> None:
        command = _read_exactly(conn, len(b"zINSTREAM\0"))
        if command != b"zINSTREAM\0":
            conn.sendall(b"UNKNOWN COMMAND\0")
            return
        payload = bytearray()
        while True:
            (length,) = struct.unpack("!I", _read_exactly(conn, 4))
            if length == 0:
                break
            self.chunk_sizes.append(length)
            payload += _read_exactly(conn, length)
        self.payloads.append(bytes(payload))
        if self.reply is not None:
            conn.sendall(self.reply)
        elif VIRUS_MARKER in payload:
            conn.sendall(b"stream: Eicar-Signature FOUND\0")
        else:
            conn.sendall(b"stream: OK\0")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._server.close()


@pytest.fixture
def clamd_dir():
    # AF_UNIX paths are limited to ~107 bytes: pytest's tmp_path can be longer.
    directory = tempfile.mkdtemp(prefix="fzclam-", dir="/tmp")
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def fake_clamd(settings, clamd_dir):
    server = FakeClamd(os.path.join(clamd_dir, "clamd.ctl"))
    settings.FAZHI_CLAMAV_SOCKET = server.path
    settings.FAZHI_CLAMAV_TIMEOUT = 5
    yield server
    server.close()


@pytest.fixture
def absent_clamd(settings, clamd_dir):
    """Scanning configured, but nothing listens on the socket."""
    settings.FAZHI_CLAMAV_SOCKET = os.path.join(clamd_dir, "nobody-home.ctl")
    settings.FAZHI_CLAMAV_TIMEOUT = 2
    return settings.FAZHI_CLAMAV_SOCKET
