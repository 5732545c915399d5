"""A real Ralph LRS (`ralph runserver --backend fs`) on a free loopback port, for the tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

RALPH = Path(sys.executable).with_name("ralph")
FIX = Path(__file__).parent / "ralph_fix"
HOME_PAGE = "https://school.example"
USER, PASSWORD = "quiz-tests", "not-a-real-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Ralph:
    """One Ralph process with its credentials and its statements in a folder of its own."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/xAPI"
        self.process: subprocess.Popen[bytes] | None = None
        folder.mkdir(parents=True, exist_ok=True)
        # Ralph reads a .env in its working folder and its settings from RALPH_* variables.
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("RALPH_")},
            "RALPH_APP_DIR": str(folder / "app"),
            "RALPH_AUTH_FILE": str(folder / "auth.json"),
            "RALPH_RUNSERVER_BACKEND": "fs",
            # Two bugs of Ralph 5.1.0's fs LRS backend, fixed for these servers: ralph_fix/.
            "PYTHONPATH": str(FIX),
            "QUIZ_TESTS_RALPH_FS_FIXES": "1",
        }
        subprocess.run(
            [
                str(RALPH),
                "auth",
                "-u",
                USER,
                "-p",
                PASSWORD,
                "-s",
                "all",
                "-w",
                "-A",
                USER,
                HOME_PAGE,
            ],
            cwd=folder,
            env=self.env,
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        """Start the server and wait until it answers."""
        log = (self.folder / "ralph.log").open("ab")
        self.process = subprocess.Popen(
            [
                *(str(RALPH), "runserver", "--backend", "fs", "--host", "127.0.0.1"),
                *("--port", str(self.port)),
                *("--fs-default-directory-path", str(self.folder / "data")),
            ],
            cwd=self.folder,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError((self.folder / "ralph.log").read_text()[-2000:])
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/__heartbeat__").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("ralph runserver did not answer within 90 s")

    def stop(self) -> None:
        """Stop the server (its reloader and worker: the whole process group it leads)."""
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def statements(self, **params: str) -> list[dict[str, Any]]:
        """Every statement stored (matching the params), following `more`, as the LRS has them."""
        out: list[dict[str, Any]] = []
        url: str | None = f"{self.url}/statements"
        query: dict[str, str] | None = {"limit": "500", **params}
        with httpx.Client(
            auth=(USER, PASSWORD), headers={"X-Experience-API-Version": "1.0.3"}
        ) as http:
            while url:
                reply = http.get(url, params=query)
                reply.raise_for_status()
                page = reply.json()
                out.extend(page["statements"])
                more = page.get("more")
                url = f"http://127.0.0.1:{self.port}{more}" if more and page["statements"] else None
                query = None
        return out

    def of(self, learner: str) -> list[dict[str, Any]]:
        """The statements of one learner."""
        agent = {"account": {"homePage": HOME_PAGE, "name": learner}}
        return self.statements(agent=json.dumps(agent))
