"""Message-level signals: auto-replies, bounces, and 超大附件 download links in the body."""

from __future__ import annotations

import re
from email.message import Message

from intake.decoding import header_str

_AUTO_SUBJECT = re.compile(r"自动回复|自动答复|auto[- ]?reply|automatic reply|autoreply|out of (the )?office|休假|"
                           r"不在办公室", re.I)
_BOUNCE_SUBJECT = re.compile(r"退信|系统退信|投递失败|undeliver|delivery status notification|"
                             r"mail delivery (failed|failure|subsystem)|returned mail|delivery failure", re.I)
_BOUNCE_SENDER = re.compile(r"mailer-daemon|postmaster@", re.I)

# Large-attachment ("超大附件", 文件中转站) links of the mail services units use.
_LINK_HOSTS = re.compile(
    r"https?://[^\s\"'<>]*(?:ftn|large-?attach|bigattach|dashi\.163\.com|fs\.mail\.|mail\.qq\.com/cgi-bin/ftnExs|"
    r"attach\.mail|filestation|download)[^\s\"'<>]*", re.I)
_ANY_URL = re.compile(r"https?://[^\s\"'<>（）]+", re.I)
_LINK_WORDS = re.compile(r"超大附件|大附件|文件中转站|下载链接|附件下载")


def is_auto_reply(msg: Message, subject: str | None) -> bool:
    auto = header_str(msg, "Auto-Submitted").strip().lower()
    if auto and auto != "no":
        return True
    if msg.get("X-Autoreply") or msg.get("X-Autorespond") or header_str(msg, "X-Auto-Response-Suppress") == "All":
        return True
    if header_str(msg, "Precedence").strip().lower() == "auto_reply":
        return True
    return bool(subject and _AUTO_SUBJECT.search(subject))


def is_bounce(msg: Message, sender: str | None, subject: str | None) -> bool:
    if msg.get_content_type() == "multipart/report" and \
            (msg.get_param("report-type") or "").lower() == "delivery-status":
        return True
    if sender and _BOUNCE_SENDER.search(sender):
        return True
    return bool(subject and _BOUNCE_SUBJECT.search(subject))


def find_download_links(text: str) -> list[tuple[str, str | None]]:
    """(url, file name shown next to it) for large-attachment links in a body text or HTML."""
    urls: list[str] = [m.group(0) for m in _LINK_HOSTS.finditer(text)]
    if _LINK_WORDS.search(text):
        urls += [m.group(0) for m in _ANY_URL.finditer(text)]
    seen: dict[str, str | None] = {}
    for url in urls:
        url = url.rstrip(".,;，。)")
        url = url.replace("&amp;", "&")
        if url not in seen:
            seen[url] = _name_near(text, url)
    return list(seen.items())


_FILE_NAME = re.compile(r"([^\s<>\"'/\\:：]{1,120}\.(?:pdf|zip|rar|7z|jpe?g|png|tiff?|docx?))", re.I)


def _name_near(text: str, url: str) -> str | None:
    at = text.replace("&amp;", "&").find(url)
    if at < 0:
        return None
    window = text[max(0, at - 300): at + len(url) + 300]
    names = _FILE_NAME.findall(re.sub(r"<[^>]+>", " ", window.replace(url, " ")))
    return names[-1] if names else None
