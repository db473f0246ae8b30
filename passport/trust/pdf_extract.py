"""Read the one embedded file of an untrusted PDF, in a child process with hard limits.

``passport.trust.pdf.embedded_file`` runs this file as a script (``python -I
pdf_extract.py MAX_BYTES``): the PDF comes on standard input, the embedded file's bytes go to
standard output, and the exit status says why it was refused (``EXIT_*`` below).

Why a child process: pypdf bounds each stream that it decodes (``pypdf.Configuration``), but
not the sum over a document, and a PDF can chain many small compressed cross-reference or
object streams that each expand to the limit. The operating system bounds the whole of it
here (address space, CPU seconds), and the parent adds a wall-clock timeout, so that no PDF,
however built, costs the server more than a few seconds and a few hundred MiB, once.

Imports only the standard library and pypdf (never the application: no configuration, no
database, no secret reaches this process).
"""

from __future__ import annotations

import io
import logging
import sys

EXIT_OK = 0
EXIT_UNREADABLE = 10  # not a PDF that pypdf can read
EXIT_ENCRYPTED = 11  # encrypted: its embedded files cannot be read without the password
EXIT_NO_ATTACHMENT = 12
EXIT_SEVERAL_ATTACHMENTS = 13
EXIT_TOO_LARGE = 14  # the embedded file decodes to more than MAX_BYTES
EXIT_TOO_COMPLEX = 15  # a limit was reached reading the document's structure

#: Address space of this process (Python and pypdf use about 60 MiB, the PDF and its embedded
#: file at most 20 MiB each, plus pypdf's decoded structure streams).
MEMORY_BYTES = 768 * 1024 * 1024
#: CPU time: reading a genuine export takes a fraction of a second.
CPU_SECONDS = 10


def _limit_resources(memory: int, cpu: int) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))


def extract(data: bytes, max_bytes: int) -> tuple[int, bytes]:
    """(exit status, the embedded file's bytes when the status is ``EXIT_OK``)."""
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import FileNotDecryptedError, LimitReachedError

    # Every decoder stops one byte past what an embedded bundle may hold, so that a larger
    # one is recognised as such; structure streams of a genuine export are far smaller.
    limit = max_bytes + 1
    with apply_configuration(
        maximum_declared_stream_length=limit,
        array_based_stream_maximum_output_length=limit,
        zlib_maximum_output_length=limit,
        lzw_maximum_output_length=limit,
        run_length_maximum_output_length=limit,
        brotli_maximum_output_length=limit,
        jbig2_maximum_output_length=limit,
        jbig2dec_binary=None,
        stream_decoding_work_maximum_length=4 * limit,
    ):
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                return EXIT_ENCRYPTED, b""
            found = []
            for entry in reader.attachment_list:
                found.append(entry)
                if len(found) > 1:
                    return EXIT_SEVERAL_ATTACHMENTS, b""
        except LimitReachedError:
            return EXIT_TOO_COMPLEX, b""
        except FileNotDecryptedError:
            return EXIT_ENCRYPTED, b""
        except (MemoryError, RecursionError):
            raise
        except Exception:  # any failure of the parser on hostile input
            return EXIT_UNREADABLE, b""
        if not found:
            return EXIT_NO_ATTACHMENT, b""
        try:
            content = found[0].content
        except LimitReachedError:
            return EXIT_TOO_LARGE, b""
        except (MemoryError, RecursionError):
            raise
        except Exception:  # idem
            return EXIT_UNREADABLE, b""
    if len(content) > max_bytes:
        return EXIT_TOO_LARGE, b""
    return EXIT_OK, content


def main(argv: list[str]) -> int:
    max_bytes = int(argv[1])
    memory = int(argv[2]) if len(argv) > 2 else MEMORY_BYTES
    _limit_resources(memory, CPU_SECONDS)
    logging.disable(logging.CRITICAL)  # pypdf reports every oddity of a damaged file
    try:
        status, content = extract(sys.stdin.buffer.read(), max_bytes)
    except (MemoryError, RecursionError):
        return EXIT_TOO_COMPLEX
    sys.stdout.buffer.write(content)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
