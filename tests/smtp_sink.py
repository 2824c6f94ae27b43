"""A real SMTP server for the tests (aiosmtpd): every message it accepts is stored as a file
`<n>.eml` in the directory given, for the tests to read as a mailbox.

    python3 tests/smtp_sink.py <port> <directory>

Prints `ready` once it listens on 127.0.0.1:<port>; stops on SIGTERM or SIGINT. Started again
on the same port and directory, it carries on where it stopped (the outage test)."""

import os
import signal
import sys
import time
import uuid

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory):
        self.directory = directory

    async def handle_DATA(self, server, session, envelope):
        name = f"{time.time_ns()}-{uuid.uuid4().hex}"
        partial = os.path.join(self.directory, name + ".part")
        with open(partial, "wb") as f:
            f.write(envelope.original_content or envelope.content)
        # Whole files only: a reader never sees a message half written.
        os.rename(partial, os.path.join(self.directory, name + ".eml"))
        return "250 Message accepted"


def main():
    port, directory = int(sys.argv[1]), sys.argv[2]
    os.makedirs(directory, exist_ok=True)
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM, signal.SIGINT])
    controller = Controller(Sink(directory), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    signal.sigwait([signal.SIGTERM, signal.SIGINT])
    controller.stop()


if __name__ == "__main__":
    main()
