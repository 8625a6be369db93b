"""A headless Chromium driven over the DevTools protocol through a pipe (no websocket, no extra package).

Chromium started with ``--remote-debugging-pipe`` reads NUL-terminated JSON commands on file
descriptor 3 and writes replies and events on descriptor 4.  One browser and one page are reused
for many documents (``browser()`` is a lazy per-process instance, closed at exit; a pool worker
process gets its own).  Chromium also exits on its own when the pipe closes.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import threading
from typing import Any

CHROMIUM = "/usr/bin/chromium"
_STDERR = subprocess.DEVNULL
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
        "--disable-default-apps", "--mute-audio", "--hide-scrollbars", "--font-render-hinting=none",
        "--remote-debugging-pipe"]


class BrowserError(RuntimeError):
    pass


def available() -> bool:
    return os.access(CHROMIUM, os.X_OK)


class Browser:
    """One Chromium process with one page target; ``call`` sends a command and waits for its reply."""

    def __init__(self, executable: str = CHROMIUM, timeout: float = 60.0) -> None:
        if not os.access(executable, os.X_OK):
            raise BrowserError(f"找不到 Chromium：{executable}（apt-get install chromium）")
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="kptj-chromium-")
        to_r, self._to_w = os.pipe()      # we write commands, the browser reads fd 3
        self._from_r, from_w = os.pipe()  # the browser writes fd 4, we read replies

        # close_fds would run after preexec_fn and close 3 and 4 again; our other fds are not inheritable
        def child_fds() -> None:          # runs in the child between fork and exec
            a, b = os.dup(to_r), os.dup(from_w)   # fresh copies first: to_r/from_w may be 3 or 4
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [executable, *ARGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=_STDERR,
            preexec_fn=child_fds, close_fds=False, start_new_session=True)
        os.close(to_r)
        os.close(from_w)
        self._buf = b""
        self._next = 0
        self._lock = threading.Lock()
        try:
            target = self.call("Target.createTarget", url="about:blank")["targetId"]
            self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
            self.call("Page.enable", session=self.session)
            self.frame = self.call("Page.getFrameTree", session=self.session)["frameTree"]["frame"]["id"]
        except BaseException:
            self.close()
            raise

    # ---- protocol
    def _read_message(self) -> dict:
        while b"\0" not in self._buf:
            if not select.select([self._from_r], [], [], self.timeout)[0]:
                self.proc.kill()
                raise BrowserError(f"Chromium {self.timeout:.0f} 秒内无响应，已终止")
            chunk = os.read(self._from_r, 1 << 20)
            if not chunk:
                raise BrowserError("Chromium 已退出")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, session: str | None = None, **params: Any) -> dict:
        with self._lock:
            self._next += 1
            msg: dict[str, Any] = {"id": self._next, "method": method, "params": params}
            if session:
                msg["sessionId"] = session
            data = json.dumps(msg).encode() + b"\0"
            while data:
                data = data[os.write(self._to_w, data):]
            while True:
                reply = self._read_message()
                if reply.get("id") == self._next:
                    if "error" in reply:
                        raise BrowserError(f"{method}: {reply['error']}")
                    return reply.get("result", {})

    # ---- page helpers
    def set_content(self, html: str) -> None:
        self.call("Page.setDocumentContent", session=self.session, frameId=self.frame, html=html)

    def evaluate(self, expression: str) -> Any:
        """Evaluate JavaScript (a promise is awaited) and return its JSON value."""
        r = self.call("Runtime.evaluate", session=self.session, expression=expression, awaitPromise=True,
                      returnByValue=True)
        if "exceptionDetails" in r:
            raise BrowserError(f"JavaScript: {r['exceptionDetails'].get('exception', {}).get('description')}")
        return r["result"].get("value")

    def print_pdf(self) -> bytes:
        r = self.call("Page.printToPDF", session=self.session, printBackground=True, preferCSSPageSize=True,
                      marginTop=0, marginBottom=0, marginLeft=0, marginRight=0, displayHeaderFooter=False,
                      generateTaggedPDF=False, generateDocumentOutline=False)
        return base64.b64decode(r["data"])

    def close(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(BrowserError, OSError):
                self.call("Browser.close")
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        for fd in (self._to_w, self._from_r):
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(self.profile, ignore_errors=True)


_shared: dict[str, Any] = {"browser": None, "pid": 0, "hooked": False}


def browser() -> Browser:
    """The process's shared browser, started on first use (a fresh one if it died)."""
    b, mine = _shared["browser"], _shared["pid"] == os.getpid()
    if b is None or not mine or b.proc.poll() is not None:
        if b is not None and mine:
            b.close()
        _shared.update(browser=Browser(), pid=os.getpid())
        if not _shared["hooked"] or not mine:
            atexit.register(close_browser)
            # pool workers leave through multiprocessing's exit hooks, not atexit
            from multiprocessing import util
            util.Finalize(None, close_browser, exitpriority=10)
            _shared["hooked"] = True
    return _shared["browser"]


def close_browser() -> None:
    """Close this process's shared browser (a forked child never closes its parent's)."""
    b = _shared["browser"]
    if b is not None and _shared["pid"] == os.getpid():
        b.close()
    _shared["browser"] = None
