"""IMAP through imap-tools, with the fixes real servers need (see TEST-SERVERS.md):
capabilities re-read after login (so MOVE is used), the ID command (163/126 refuse SELECT
without it), NOOP before each poll (new deliveries), and `UID n:*` filtered client-side.
Raw bytes are fetched with BODY.PEEK[] and parsed by us, not by imap-tools.
"""

from __future__ import annotations

import contextlib
import imaplib
import re
import socket
import ssl
from collections.abc import Iterator

from imap_tools import MailBox, MailBoxStartTls
from imap_tools.errors import ImapToolsError, MailboxLoginError

from intake.sources import Fetched, SourceError, SourceSpec

imaplib.Commands.setdefault("ID", ("NONAUTH", "AUTH", "SELECTED"))
imaplib.Commands.setdefault("MOVE", ("SELECTED",))
_UID_IN_FETCH = re.compile(rb"UID (\d+)")
CONNECTION_ERRORS = (OSError, imaplib.IMAP4.abort, imaplib.IMAP4.error, ssl.SSLError, socket.timeout, EOFError)


def _ssl_context(spec: SourceSpec) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(spec.ca_file) if spec.ca_file else None)
    if not spec.verify_tls:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


class ImapConnection:
    def __init__(self, spec: SourceSpec) -> None:
        self.spec = spec
        self.uidvalidity: int | None = None
        where = f"{spec.host}:{spec.port}"
        password = spec.password()
        try:
            ctx = _ssl_context(spec)
            if spec.kind == "imaps":
                self.box = MailBox(spec.host, spec.port, timeout=spec.timeout, ssl_context=ctx)
            else:
                self.box = MailBoxStartTls(spec.host, spec.port, timeout=spec.timeout, ssl_context=ctx)
        except ssl.SSLCertVerificationError as exc:
            raise SourceError(f"邮件服务器 {where} 的证书校验失败（{exc.verify_message}）；"
                              f"如使用内部证书，请用 ca_file 指定其 CA 证书") from exc
        except ssl.SSLError as exc:
            raise SourceError(f"与邮件服务器 {where} 建立加密连接失败：{exc.reason}") from exc
        except (OSError, ImapToolsError) as exc:
            raise SourceError(f"无法连接邮件服务器 {where}：{exc}") from exc
        try:
            self.box.login(spec.user or "", password, initial_folder=None)
        except MailboxLoginError as exc:
            self._drop()
            raise SourceError(f"登录邮箱 {spec.user}@{spec.host} 失败：用户名或密码（授权码）错误") from exc
        except CONNECTION_ERRORS as exc:
            self._drop()
            raise SourceError(f"登录邮箱 {spec.user}@{spec.host} 时连接中断：{exc}") from exc
        del password
        client = self.box.client
        # Dovecot and others announce MOVE only after login; imap-tools read them before.
        typ, data = client.capability()
        if typ == "OK" and data and data[-1]:
            client.capabilities = tuple(data[-1].decode("ascii", "replace").upper().split())
        if spec.send_id and "ID" in client.capabilities:
            client._simple_command("ID", '("name" "kptj-intake" "version" "0.1" "vendor" "kptj")')
        self._select()

    def _select(self) -> None:
        try:
            self.box.folder.set(self.spec.folder)
        except ImapToolsError as exc:
            raise SourceError(f"邮箱 {self.spec.user}@{self.spec.host} 中没有文件夹 {self.spec.folder}") from exc
        status = self.box.folder.status(self.spec.folder, ["UIDVALIDITY"])
        self.uidvalidity = int(status["UIDVALIDITY"])

    def poll(self, after_uid: int) -> list[int]:
        self.box.client.noop()  # lets the server report mail delivered since the last command
        if self.spec.subject_contains:
            uids = self._search_subject(after_uid, self.spec.subject_contains)
        else:
            typ, data = self.box.client.uid("SEARCH", "UID", f"{after_uid + 1}:*")
            if typ != "OK":
                raise imaplib.IMAP4.error(f"SEARCH failed: {data}")
            uids = [int(x) for x in (data[0] or b"").split()]
        # `UID n:*` always matches the newest message, even when its UID is below n.
        return sorted(u for u in uids if u > after_uid)

    def _search_subject(self, after_uid: int, text: str) -> list[int]:
        try:
            uids = self.box.uids(f'UID {after_uid + 1}:* SUBJECT "{text}"', charset="UTF-8")
            return [int(u) for u in uids]
        except ImapToolsError:
            # Some Chinese servers reject CHARSET UTF-8: filter decoded subjects here instead.
            from intake.decoding import header_text
            from intake.extract import parse
            typ, data = self.box.client.uid("SEARCH", "UID", f"{after_uid + 1}:*")
            keep = []
            for uid in (int(x) for x in (data[0] or b"").split()):
                typ, parts = self.box.client.uid("FETCH", str(uid), "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
                raw = next((p[1] for p in parts if isinstance(p, tuple)), b"")
                if text in (header_text(parse(raw), "Subject", []) or ""):
                    keep.append(uid)
            return keep

    def fetch(self, uid: int) -> bytes | None:
        typ, data = self.box.client.uid("FETCH", str(uid), "(UID BODY.PEEK[])")
        if typ != "OK":
            raise imaplib.IMAP4.error(f"FETCH {uid} failed: {data}")
        for item in data:
            if isinstance(item, tuple) and _UID_IN_FETCH.search(item[0] or b""):
                return bytes(item[1])
        return None  # expunged by someone else meanwhile

    def local_items(self) -> Iterator[Fetched]:
        return iter(())

    def server_action(self, uids: list[int]) -> None:
        action = self.spec.action or "none"
        if action == "none" or not uids:
            return
        verb, _, arg = action.partition(":")
        uid_set = ",".join(str(u) for u in uids)
        if verb == "move":
            self._ensure_folder(arg)
            self.box.move(uid_set, arg)
        elif verb == "flag":
            # Not imap-tools' flag(): it also EXPUNGEs, which would purge others' \\Deleted mail.
            typ, data = self.box.client.uid("STORE", uid_set, "+FLAGS", f"({arg or chr(92) + 'Seen'})")
            if typ != "OK":
                raise imaplib.IMAP4.error(f"STORE failed: {data}")
        else:
            raise SourceError(f"未知的处理后动作：{action}（可用 move:文件夹、flag:\\Seen、none）")

    _known_folders: set[str] | None = None

    def _ensure_folder(self, name: str) -> None:
        if self._known_folders is None:
            self._known_folders = {f.name for f in self.box.folder.list()}
        if name not in self._known_folders:
            self.box.folder.create(name)
            self._known_folders.add(name)

    def _drop(self) -> None:
        with contextlib.suppress(Exception):  # closing a broken socket may fail in any way
            self.box.client.shutdown()

    def close(self) -> None:
        try:
            self.box.logout()
        except Exception:  # noqa: BLE001 - the server may already be gone
            self._drop()
