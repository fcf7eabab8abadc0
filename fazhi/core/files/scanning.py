"""The antivirus hook: ClamAV's clamd over its socket, INSTREAM protocol, failing closed.

Written on the socket module so the intranet deployment needs no extra package. Protocol
(clamd(8)): send `zINSTREAM\\0`, then chunks each prefixed by its length as a 4-byte big-endian
integer, then a zero length; clamd answers `stream: OK\\0`, `stream: <name> FOUND\\0`, or an
error such as `INSTREAM size limit exceeded. ERROR\\0` (clamd's StreamMaxLength must be at least
the largest use's size limit).
"""

from __future__ import annotations

import logging
import socket
import struct
from dataclasses import dataclass
from typing import BinaryIO

from fazhi.core.files import conf

logger = logging.getLogger("fazhi.files")

CHUNK_BYTES = 64 * 1024
# clamd's longest answers are a virus name plus a few words; anything longer is not clamd.
MAX_REPLY_BYTES = 4096


@dataclass(frozen=True)
class ScanResult:
    # clean: scanned, nothing found. skipped: no scanner configured. infected: a signature
    # matched. error: the scanner could not give an answer (unreachable, timeout, refusal).
    status: str
    signature: str = ""
    detail: str = ""

    CLEAN = "clean"
    SKIPPED = "skipped"
    INFECTED = "infected"
    ERROR = "error"


def parse_address(address: str) -> tuple[int, str | tuple[str, int]]:
    """(socket family, address) of "tcp://host:port", "unix:///path" or a bare path."""
    if address.startswith("tcp://"):
        hostport = address[len("tcp://") :].rstrip("/")
        host, sep, port = hostport.rpartition(":")
        if not sep or not host or not port.isdigit():
            raise ValueError(f"clamd address needs tcp://host:port, got {address!r}")
        return socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET, (
            host.strip("[]"),
            int(port),
        )
    if address.startswith("unix://"):
        address = address[len("unix://") :]
    if not address.startswith("/"):
        raise ValueError(f"clamd socket path must be absolute, got {address!r}")
    return socket.AF_UNIX, address


def scan(fileobj: BinaryIO) -> ScanResult:
    """Scan the whole of `fileobj` (seekable; left at position 0) with clamd, if configured."""
    address = conf.clamav_address()
    if not address:
        return ScanResult(ScanResult.SKIPPED)
    try:
        family, target = parse_address(address)
    except ValueError as exc:
        logger.error("FAZHI_CLAMAV_SOCKET is not usable: %s", exc)
        return ScanResult(ScanResult.ERROR, detail="bad address")
    fileobj.seek(0)
    try:
        reply = _instream(family, target, fileobj, conf.clamav_timeout_seconds())
    except OSError as exc:  # refused, missing socket, timeout, reset
        logger.error("clamd at %s did not answer: %s", address, exc)
        return ScanResult(ScanResult.ERROR, detail=type(exc).__name__)
    finally:
        fileobj.seek(0)
    return interpret(reply)


def interpret(reply: str) -> ScanResult:
    """Read clamd's answer to one INSTREAM; only an exact "OK" counts as clean."""
    text = reply.strip()
    if text.startswith("stream:"):
        text = text[len("stream:") :].strip()
    if text == "OK":
        return ScanResult(ScanResult.CLEAN)
    if text.endswith(" FOUND"):
        return ScanResult(ScanResult.INFECTED, signature=text[: -len(" FOUND")].strip()[:200])
    logger.error("clamd answered %r", reply[:200])
    return ScanResult(ScanResult.ERROR, detail=text[:200])


def _instream(family: int, target, fileobj: BinaryIO, timeout: float) -> str:
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(target)
        sock.sendall(b"zINSTREAM\0")
        while chunk := fileobj.read(CHUNK_BYTES):
            sock.sendall(struct.pack("!I", len(chunk)) + chunk)
        sock.sendall(struct.pack("!I", 0))
        received = bytearray()
        while b"\0" not in received and len(received) < MAX_REPLY_BYTES:
            data = sock.recv(1024)
            if not data:
                break
            received += data
    return received.split(b"\0", 1)[0].decode("utf-8", "replace")
