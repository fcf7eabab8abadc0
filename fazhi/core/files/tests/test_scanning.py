"""The clamd INSTREAM client against a fake clamd on a temporary UNIX socket."""

import io
import socket

import pytest

from fazhi.core.files import scanning
from fazhi.core.files.scanning import ScanResult, interpret, parse_address, scan
from fazhi.core.files.tests.samples import PDF, VIRUS_MARKER


def test_without_a_configured_scanner_the_scan_is_skipped(settings):
    settings.FAZHI_CLAMAV_SOCKET = ""

    assert scan(io.BytesIO(PDF)) == ScanResult(ScanResult.SKIPPED)


def test_clean_content_is_streamed_whole_in_chunks_and_answered_ok(fake_clamd):
    data = PDF + b"0" * (scanning.CHUNK_BYTES * 2 + 10)
    stream = io.BytesIO(data)
    stream.seek(17)  # the scan starts from the beginning, wherever the caller left it

    result = scan(stream)

    assert result == ScanResult(ScanResult.CLEAN)
    assert fake_clamd.payloads == [data]
    assert fake_clamd.chunk_sizes == [scanning.CHUNK_BYTES, scanning.CHUNK_BYTES, len(PDF) + 10]
    assert stream.tell() == 0


def test_a_signature_match_is_reported_with_its_name(fake_clamd):
    result = scan(io.BytesIO(PDF + VIRUS_MARKER))

    assert result == ScanResult(ScanResult.INFECTED, signature="Eicar-Signature")


def test_no_daemon_listening_is_an_error_not_a_pass(absent_clamd, file_logs):
    result = scan(io.BytesIO(PDF))

    assert result.status == ScanResult.ERROR
    assert result.detail == "FileNotFoundError"
    [record] = [r for r in file_logs.records if r.name == "fazhi.files"]
    assert record.levelname == "ERROR"
    assert record.getMessage().startswith(f"clamd at {absent_clamd} did not answer:")


def test_a_daemon_refusing_the_stream_is_an_error(fake_clamd):
    fake_clamd.reply = b"INSTREAM size limit exceeded. ERROR\0"

    result = scan(io.BytesIO(PDF))

    assert result == ScanResult(ScanResult.ERROR, detail="INSTREAM size limit exceeded. ERROR")


def test_a_daemon_hanging_up_without_an_answer_is_an_error(fake_clamd):
    fake_clamd.reply = b""

    assert scan(io.BytesIO(PDF)).status == ScanResult.ERROR


def test_a_relative_socket_path_is_an_error_not_a_pass(settings):
    settings.FAZHI_CLAMAV_SOCKET = "clamd.ctl"

    assert scan(io.BytesIO(PDF)) == ScanResult(ScanResult.ERROR, detail="bad address")


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("stream: OK", ScanResult(ScanResult.CLEAN)),
        (
            "stream: Win.Test.EICAR_HDB-1 FOUND",
            ScanResult(ScanResult.INFECTED, "Win.Test.EICAR_HDB-1"),
        ),
        ("stream: OK but not really", ScanResult(ScanResult.ERROR, detail="OK but not really")),
        ("", ScanResult(ScanResult.ERROR)),
        ("UNKNOWN COMMAND", ScanResult(ScanResult.ERROR, detail="UNKNOWN COMMAND")),
    ],
)
def test_only_an_exact_ok_is_clean(reply, expected):
    assert interpret(reply) == expected


@pytest.mark.parametrize(
    ("address", "parsed"),
    [
        ("/run/clamav/clamd.ctl", (socket.AF_UNIX, "/run/clamav/clamd.ctl")),
        ("unix:///run/clamav/clamd.ctl", (socket.AF_UNIX, "/run/clamav/clamd.ctl")),
        ("tcp://127.0.0.1:3310", (socket.AF_INET, ("127.0.0.1", 3310))),
        ("tcp://[::1]:3310/", (socket.AF_INET6, ("::1", 3310))),
    ],
)
def test_socket_addresses(address, parsed):
    assert parse_address(address) == parsed


@pytest.mark.parametrize("address", ["tcp://clamd", "tcp://:3310", "clamd.ctl", "tcp://h:port"])
def test_malformed_addresses_are_refused(address):
    with pytest.raises(ValueError):
        parse_address(address)
