"""Email through SMTP (aiosmtplib): one connection per mail, and each failure told as permanent
(the server answered 5xx for the mail or its recipient), transient (4xx for it: the mail waits
for its retry) or the server being unavailable (refused connection, timeout, lost connection,
421, our credentials refused: every mail waits for the server)."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib

from .failures import DeliveryFailed, ServerUnavailable
from .mail_messages import MailComposer, MailItem, Recipient, category_label, unsubscribe_link

__all__ = [
    "DeliveryFailed",
    "MailComposer",
    "MailItem",
    "Recipient",
    "ServerUnavailable",
    "SmtpMailer",
    "category_label",
    "unsubscribe_link",
]


class SmtpMailer:
    """Sends composed mails through one SMTP server (a relay or the provider's submission port)."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout_seconds: float = 30.0,
    ) -> None:
        self._host = host
        self._port = port
        self._username = username or None
        self._password = password or None
        self._starttls = starttls
        self._timeout = timeout_seconds

    async def send(self, message: EmailMessage) -> None:
        """Hands `message` to the server; DeliveryFailed unless the server accepted it for every
        recipient."""
        try:
            refused, _ = await aiosmtplib.send(
                message,
                hostname=self._host,
                port=self._port,
                username=self._username,
                password=self._password,
                start_tls=self._starttls,
                timeout=self._timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as error:
            first = error.recipients[0]
            raise _answered(first.code, first.message) from error
        except (
            aiosmtplib.SMTPAuthenticationError,
            aiosmtplib.SMTPConnectResponseError,
            aiosmtplib.SMTPHeloError,
        ) as error:
            # The server refused us, not this mail (credentials, greeting, HELO): once the
            # settings or the server are fixed the same mail goes through.
            raise ServerUnavailable(f"SMTP {error.code} {_line(error.message)}") from error
        except aiosmtplib.SMTPResponseException as error:
            raise _answered(error.code, error.message) from error
        except aiosmtplib.SMTPTimeoutError as error:
            raise ServerUnavailable(f"SMTP timeout: {error}") from error
        except (aiosmtplib.SMTPException, OSError) as error:
            raise ServerUnavailable(f"SMTP unreachable: {error}") from error
        if refused:
            answer = next(iter(refused.values()))
            raise _answered(answer.code, answer.message)


def _answered(code: int, message: str) -> DeliveryFailed:
    """The server's answer as a failure: 5xx is final, 421 closes the server for now, anything
    else may pass later."""
    if code == 421:
        return ServerUnavailable(f"SMTP {code} {_line(message)}")
    return DeliveryFailed(f"SMTP {code} {_line(message)}", permanent=500 <= code < 600)


def _line(message: str) -> str:
    return " ".join(message.split())
