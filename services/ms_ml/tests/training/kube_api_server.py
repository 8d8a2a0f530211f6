"""A real Kubernetes API server (and its etcd) for the cluster backend's tests: built from the Go
module proxy as kube_tools/go.mod pins them, once per content of the pins, into the user cache
(parallel test workers wait for the one build), then run on loopback with a self-signed serving
certificate, static bearer tokens and RBAC. There is no kubelet, scheduler or controller manager:
no pod ever runs, and the tests play the Job controller's part by writing a Job's status.

`python kube_api_server.py` builds them (`make test` starts it in the background, so the tests
find them built); a build takes minutes on a fresh machine and is quick when cached.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from knowledge_kit.testing.ports import free_port

TOOLS = Path(__file__).parent / "kube_tools"
PINNED = ("go.mod", "go.sum", "etcd/main.go")
ADMIN_TOKEN = "admin-token"
SERVICE_TOKEN = "ms-ml-token"
SERVICE_USER = "ms-ml"
NOBODY_TOKEN = "nobody-token"


class ToolsUnavailable(Exception):
    """The API server cannot be built here (no Go)."""


def _cache_home() -> Path:
    digest = hashlib.sha256()
    for name in PINNED:
        digest.update(name.encode())
        digest.update((TOOLS / name).read_bytes())
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "knowledge-fleet" / "kube-api" / digest.hexdigest()[:16]


def built_tools() -> tuple[Path, Path]:
    """(kube-apiserver, etcd), built on first use; ToolsUnavailable without Go."""
    home = _cache_home()
    home.mkdir(parents=True, exist_ok=True)
    apiserver, etcd = home / "bin" / "kube-apiserver", home / "bin" / "etcd"
    with (home / ".build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if apiserver.exists() and etcd.exists():
            return apiserver, etcd
        go = shutil.which("go")
        if go is None:
            raise ToolsUnavailable("Go is needed to build the Kubernetes API server for the tests")
        for output, package in (
            (apiserver, "k8s.io/kubernetes/cmd/kube-apiserver"),
            (etcd, "./etcd"),
        ):
            partial = output.with_suffix(".partial")
            done = subprocess.run(
                [go, "build", "-o", str(partial), package],
                cwd=TOOLS,
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                raise RuntimeError(f"go build {package} failed:\n{done.stderr[-4000:]}")
            partial.rename(output)
    return apiserver, etcd


@dataclass(frozen=True)
class ApiServer:
    url: str
    ca: Path
    directory: Path

    def kubeconfig(self, token: str, namespace: str) -> Path:
        """A kubeconfig whose current context is `token`'s user in `namespace`."""
        path = self.directory / f"kubeconfig-{token}-{namespace}.yaml"
        path.write_text(
            f"""apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: {self.url}
    certificate-authority: {self.ca}
users:
- name: user
  user:
    token: {token}
contexts:
- name: test
  context:
    cluster: test
    user: user
    namespace: {namespace}
current-context: test
"""
        )
        return path

    def admin(self) -> httpx.AsyncClient:
        """A client of the cluster's administrator (system:masters)."""
        return httpx.AsyncClient(
            base_url=self.url,
            verify=ssl.create_default_context(cafile=str(self.ca)),
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
            timeout=30,
        )


@contextlib.contextmanager
def running_api_server(directory: Path) -> Iterator[ApiServer]:
    """etcd and kube-apiserver on loopback until the context ends."""
    apiserver, etcd = built_tools()
    directory.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signing_key = directory / "service-account.key"
    signing_key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    tokens = directory / "tokens.csv"
    tokens.write_text(
        f"{ADMIN_TOKEN},admin,admin,system:masters\n"
        f"{SERVICE_TOKEN},{SERVICE_USER},ms-ml\n"
        f"{NOBODY_TOKEN},nobody,nobody\n"
    )
    client_port, peer_port, secure_port = free_port(), free_port(), free_port()
    processes: list[subprocess.Popen[bytes]] = []
    try:
        with (directory / "etcd.log").open("wb") as log:
            processes.append(
                subprocess.Popen(
                    [
                        str(etcd),
                        f"--data-dir={directory / 'etcd'}",
                        f"--listen-client-urls=http://127.0.0.1:{client_port}",
                        f"--listen-peer-urls=http://127.0.0.1:{peer_port}",
                    ],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        with (directory / "kube-apiserver.log").open("wb") as log:
            processes.append(
                subprocess.Popen(
                    [
                        str(apiserver),
                        f"--etcd-servers=http://127.0.0.1:{client_port}",
                        "--bind-address=127.0.0.1",
                        "--advertise-address=127.0.0.1",
                        f"--secure-port={secure_port}",
                        f"--cert-dir={directory / 'certs'}",
                        f"--token-auth-file={tokens}",
                        "--authorization-mode=RBAC",
                        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                        f"--service-account-key-file={signing_key}",
                        f"--service-account-signing-key-file={signing_key}",
                        "--service-cluster-ip-range=10.96.0.0/24",
                        "--enable-priority-and-fairness=false",
                        "--v=0",
                    ],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        ca = directory / "certs" / "apiserver.crt"
        url = f"https://127.0.0.1:{secure_port}"
        _wait_ready(url, ca, processes, directory)
        yield ApiServer(url, ca, directory)
    finally:
        for process in reversed(processes):
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(
    url: str, ca: Path, processes: list[subprocess.Popen[bytes]], directory: Path
) -> None:
    deadline = time.monotonic() + 180
    problem = ""
    while time.monotonic() < deadline:
        for process, name in zip(processes, ("etcd", "kube-apiserver"), strict=False):
            if process.poll() is not None:
                logs = (directory / f"{name}.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{name} exited ({process.returncode}):\n{logs}")
        if ca.exists():
            try:
                ready = httpx.get(
                    f"{url}/readyz",
                    verify=ssl.create_default_context(cafile=str(ca)),
                    headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
                    timeout=5,
                )
                if ready.status_code == 200:
                    return
                problem = ready.text[-500:]
            except httpx.HTTPError as error:
                problem = str(error)
        time.sleep(0.5)
    raise RuntimeError(f"kube-apiserver was not ready within 180 s: {problem}")


if __name__ == "__main__":
    try:
        for built in built_tools():
            print(f"built {built}")
    except ToolsUnavailable as error:
        print(f"not built: {error}")
    sys.exit(0)
