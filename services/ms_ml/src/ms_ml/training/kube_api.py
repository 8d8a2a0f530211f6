"""The few calls of the Kubernetes API the cluster backend makes, over HTTPS with httpx: as the
pod's service account in a cluster (its token, read again before each call since the kubelet
rotates it, and the cluster's CA), or as a kubeconfig's current context in development.

Every refusal is a KubernetesApiError naming the call, the HTTP status and the server's message
(403: the Role lacks the verb; 409: the object exists; 422: the object is invalid)."""

from __future__ import annotations

import base64
import json
import os
import ssl
import tempfile
from collections.abc import AsyncIterator, Generator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import yaml

SERVICE_ACCOUNT_DIR = Path("/var/run/secrets/kubernetes.io/serviceaccount")


class KubernetesApiError(Exception):
    """A call the API server refused or that did not reach it."""

    def __init__(self, call: str, status: int, reason: str, message: str) -> None:
        self.call = call
        self.status = status
        self.reason = reason
        self.message = message
        super().__init__(self.describe())

    def describe(self) -> str:
        if self.status == 0:
            return f"the Kubernetes API server could not be reached ({self.call}): {self.message}"
        cause = {
            401: "the API server did not accept the service's credentials",
            403: "the service account is not allowed to (its Role lacks the verb)",
            404: "it does not exist",
            409: "it already exists",
            422: "the API server refused it as invalid",
        }.get(self.status, f"HTTP {self.status} {self.reason}".strip())
        return f"Kubernetes API {self.call}: {cause}: {self.message}"


@dataclass(frozen=True, slots=True)
class ApiConnection:
    """Where the API server is and how to prove who we are to it."""

    server: str
    ssl_context: ssl.SSLContext | bool
    token_file: Path | None = None
    token: str = ""
    namespace: str = ""


class _Bearer(httpx.Auth):
    def __init__(self, connection: ApiConnection) -> None:
        self._connection = connection

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self._connection.token
        if self._connection.token_file is not None:
            token = self._connection.token_file.read_text(encoding="utf-8").strip()
        if token:
            request.headers["Authorization"] = f"Bearer {token}"
        yield request


def in_cluster_connection(directory: Path = SERVICE_ACCOUNT_DIR) -> ApiConnection:
    """The pod's service account: KUBERNETES_SERVICE_HOST/PORT, its token, CA and namespace."""
    host = os.environ.get("KUBERNETES_SERVICE_HOST", "")
    port = os.environ.get("KUBERNETES_SERVICE_PORT", "443")
    token = directory / "token"
    if not host or not token.exists():
        raise ValueError(
            "not in a Kubernetes pod with a service account token (KUBERNETES_SERVICE_HOST "
            f"unset or {token} missing); name a kubeconfig for a cluster outside"
        )
    if ":" in host:
        host = f"[{host}]"
    namespace_file = directory / "namespace"
    return ApiConnection(
        server=f"https://{host}:{port}",
        ssl_context=ssl.create_default_context(cafile=str(directory / "ca.crt")),
        token_file=token,
        namespace=namespace_file.read_text().strip() if namespace_file.exists() else "",
    )


def kubeconfig_connection(path: Path, context: str = "") -> ApiConnection:
    """A kubeconfig's context (its current one unless named): server, CA, token or client
    certificate. Exec plugins and auth providers are not supported."""
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ValueError(f"kubeconfig {path} could not be read: {error}") from None
    name = context or config.get("current-context", "")

    def named(kind: str, wanted: str) -> dict[str, Any]:
        for item in config.get(f"{kind}s") or []:
            if item.get("name") == wanted:
                return dict(item.get(kind) or {})
        raise ValueError(f"kubeconfig {path} has no {kind} named {wanted!r}")

    chosen = named("context", name)
    cluster = named("cluster", chosen.get("cluster", ""))
    user = named("user", chosen.get("user", "")) if chosen.get("user") else {}
    if cluster.get("insecure-skip-tls-verify"):
        context_ssl: ssl.SSLContext | bool = False
    else:
        authority = _ca(cluster)
        context_ssl = ssl.create_default_context(
            cafile=authority.get("cafile"), cadata=authority.get("cadata")
        )
        certificate = _file(user, "client-certificate")
        key = _file(user, "client-key")
        if certificate and key:
            context_ssl.load_cert_chain(certificate, key)
    token_file = Path(user["tokenFile"]) if user.get("tokenFile") else None
    return ApiConnection(
        server=str(cluster.get("server", "")).rstrip("/"),
        ssl_context=context_ssl,
        token_file=token_file,
        token=str(user.get("token", "")),
        namespace=str(chosen.get("namespace", "")),
    )


def _ca(cluster: Mapping[str, Any]) -> dict[str, str]:
    if cluster.get("certificate-authority-data"):
        return {"cadata": base64.b64decode(cluster["certificate-authority-data"]).decode()}
    if cluster.get("certificate-authority"):
        return {"cafile": str(cluster["certificate-authority"])}
    return {}


def _file(user: Mapping[str, Any], key: str) -> str:
    """A kubeconfig's `<key>` file, or its `<key>-data` written to a private temporary file."""
    if user.get(f"{key}-data"):
        handle, name = tempfile.mkstemp(prefix="ms-ml-kube-")
        with os.fdopen(handle, "wb") as out:
            out.write(base64.b64decode(user[f"{key}-data"]))
        return name
    return str(user.get(key, ""))


class KubeApi:
    """The calls the training backend makes, each named after its verb and resource as a Role
    grants them (the chart's Role for ms-ml grants exactly these)."""

    def __init__(self, connection: ApiConnection, *, timeout_seconds: float = 30.0) -> None:
        self.connection = connection
        self._client = httpx.AsyncClient(
            base_url=connection.server,
            verify=connection.ssl_context,
            auth=_Bearer(connection),
            timeout=httpx.Timeout(timeout_seconds, read=None),
        )

    async def close(self) -> None:
        await self._client.aclose()

    async def _call(
        self,
        call: str,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        try:
            response = await self._client.request(method, path, params=params, json=body)
        except httpx.HTTPError as error:
            raise KubernetesApiError(call, 0, "", f"{type(error).__name__}: {error}") from None
        if response.status_code >= 400:
            raise _refusal(call, response.status_code, response.reason_phrase, response.text)
        found: dict[str, Any] = response.json()
        return found

    # batch/v1 jobs: create, get, list, watch, delete.

    async def create_job(self, namespace: str, manifest: Mapping[str, Any]) -> dict[str, Any]:
        name = manifest["metadata"]["name"]
        return await self._call(
            f"create jobs {namespace}/{name}", "POST", _jobs(namespace), body=manifest
        )

    async def get_job(self, namespace: str, name: str) -> dict[str, Any]:
        return await self._call(
            f"get jobs {namespace}/{name}", "GET", f"{_jobs(namespace)}/{quote(name)}"
        )

    async def list_jobs(self, namespace: str, label_selector: str) -> dict[str, Any]:
        return await self._call(
            f"list jobs in {namespace}",
            "GET",
            _jobs(namespace),
            params={"labelSelector": label_selector},
        )

    async def delete_job(self, namespace: str, name: str) -> dict[str, Any]:
        """Deletes the Job and, in the background, its pods."""
        return await self._call(
            f"delete jobs {namespace}/{name}",
            "DELETE",
            f"{_jobs(namespace)}/{quote(name)}",
            body={"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"},
        )

    def watch_jobs(
        self, namespace: str, field_selector: str, resource_version: str, seconds: int
    ) -> AsyncIterator[dict[str, Any]]:
        return self._watch(
            f"watch jobs in {namespace}",
            _jobs(namespace),
            {"fieldSelector": field_selector},
            resource_version,
            seconds,
        )

    # core/v1 pods: get, list, watch; pods/log: get.

    async def get_pod(self, namespace: str, name: str) -> dict[str, Any]:
        return await self._call(
            f"get pods {namespace}/{name}", "GET", f"{_pods(namespace)}/{quote(name)}"
        )

    async def list_pods(self, namespace: str, label_selector: str) -> dict[str, Any]:
        return await self._call(
            f"list pods in {namespace}",
            "GET",
            _pods(namespace),
            params={"labelSelector": label_selector},
        )

    def watch_pods(
        self, namespace: str, label_selector: str, resource_version: str, seconds: int
    ) -> AsyncIterator[dict[str, Any]]:
        return self._watch(
            f"watch pods in {namespace}",
            _pods(namespace),
            {"labelSelector": label_selector},
            resource_version,
            seconds,
        )

    async def follow_log(
        self, namespace: str, pod: str, container: str, *, since_time: str = ""
    ) -> AsyncIterator[str]:
        """The container's log a line at a time (each prefixed with its RFC 3339 time), until
        the container ends."""
        call = f"get pods/log {namespace}/{pod}"
        params = {"container": container, "follow": "true", "timestamps": "true"}
        if since_time:
            params["sinceTime"] = since_time
        try:
            async with self._client.stream(
                "GET", f"{_pods(namespace)}/{quote(pod)}/log", params=params
            ) as response:
                if response.status_code >= 400:
                    text = (await response.aread()).decode("utf-8", "replace")
                    raise _refusal(call, response.status_code, response.reason_phrase, text)
                async for line in response.aiter_lines():
                    yield line
        except httpx.HTTPError as error:
            raise KubernetesApiError(call, 0, "", f"{type(error).__name__}: {error}") from None

    async def _watch(
        self,
        call: str,
        path: str,
        params: dict[str, str],
        resource_version: str,
        seconds: int,
    ) -> AsyncIterator[dict[str, Any]]:
        """The watch's events ({"type", "object"}) until the server ends it (`seconds`)."""
        query = {**params, "watch": "true", "timeoutSeconds": str(seconds)}
        if resource_version:
            query["resourceVersion"] = resource_version
            query["allowWatchBookmarks"] = "true"
        try:
            async with self._client.stream("GET", path, params=query) as response:
                if response.status_code >= 400:
                    text = (await response.aread()).decode("utf-8", "replace")
                    raise _refusal(call, response.status_code, response.reason_phrase, text)
                async for line in response.aiter_lines():
                    if line.strip():
                        event: dict[str, Any] = json.loads(line)
                        if event.get("type") == "ERROR":
                            status = event.get("object") or {}
                            raise _refusal(
                                call,
                                int(status.get("code") or 500),
                                str(status.get("reason", "")),
                                json.dumps(status),
                            )
                        yield event
        except httpx.HTTPError as error:
            raise KubernetesApiError(call, 0, "", f"{type(error).__name__}: {error}") from None


def _jobs(namespace: str) -> str:
    return f"/apis/batch/v1/namespaces/{quote(namespace)}/jobs"


def _pods(namespace: str) -> str:
    return f"/api/v1/namespaces/{quote(namespace)}/pods"


def _refusal(call: str, status: int, reason: str, text: str) -> KubernetesApiError:
    """The error of a refused call, with the message of the Status object the server sent."""
    message = text.strip()[:500]
    try:
        body = json.loads(text)
    except json.JSONDecodeError:
        body = None
    if isinstance(body, dict) and body.get("kind") == "Status":
        message = str(body.get("message") or message)[:1000]
        reason = str(body.get("reason") or reason)
    return KubernetesApiError(call, status, reason, message)
