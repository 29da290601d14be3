"""Sandbox by absence (issue #16): with namespaces, what a worker makes dies with it, and
what it must not read is not in its world.

Both paths run: namespaces (when root on a kernel that allows them) and the fallback
(forced by KATA_SANDBOX_NAMESPACES=0, probed afresh). SysV IPC objects made by a worker in
its own IPC namespace are gone after it; it has no network; its processes see only their
own. In its own world (grader/trusted/world.py) the checkout, the venv and scipy's files
are absent; in the fallback they are there (which the docs' protection table says).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from grader.trusted import proxy
from tests.grading.corpus import REPO

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="namespaces are Linux's")

CODE = textwrap.dedent('''
    import ctypes, os, socket
    libc = ctypes.CDLL(None, use_errno=True)
    IPC_CREAT = 0o1000

    def make_ipc(key):
        shm = libc.shmget(key, 64 << 20, IPC_CREAT | 0o600)
        msg = libc.msgget(key + 1, IPC_CREAT | 0o600)
        sem = libc.semget(key + 2, 1, IPC_CREAT | 0o600)
        return [shm, msg, sem]

    def network():
        try:
            socket.create_connection(("1.1.1.1", 53), timeout=1).close()
            return 1
        except OSError:
            return 0

    def pids():  # in a world of its own there is no /proc at all
        return sorted(int(p) for p in os.listdir("/proc") if p.isdigit()) if os.path.isdir("/proc") else []

    def exists(path):
        return int(os.path.exists(path))

    def top_level_beyond(allowed):  # results cross as numbers: how many entries of / are not allowed
        return len(set(os.listdir("/")) - set(allowed.split()))

    def import_scipy_by_path(site):
        import importlib.util, sys
        spec = importlib.util.spec_from_file_location("scipy", site + "/scipy/__init__.py",
                                                      submodule_search_locations=[site + "/scipy"])
        try:
            spec.loader.exec_module(importlib.util.module_from_spec(spec))
            return 1
        except OSError:  # its files are not there
            return 0
        except Exception:  # scipy's own code ran (and refused to start this way): reached all the same
            return 1
''')

KEY = 0x6B617400 + os.getpid() % 0x1000


def ipc_keys() -> str:
    return subprocess.run(["ipcs"], capture_output=True, text=True).stdout


@pytest.fixture(params=["namespaces", "fallback"])
def mode(request, monkeypatch):
    proxy.namespaces_usable.cache_clear()
    if request.param == "fallback":
        monkeypatch.setenv("KATA_SANDBOX_NAMESPACES", "0")
    elif os.geteuid() != 0 or not proxy.namespaces_usable():
        pytest.skip("namespaces need root and a kernel that allows them")
    yield request.param
    proxy.namespaces_usable.cache_clear()


def test_ipc_objects_and_processes_die_with_the_worker(mode, tmp_path):
    student = proxy.SandboxStudent({"tricks.py": CODE.encode()}, tmp_path)
    try:
        module = student.module("tricks")
        ids = module.make_ipc(KEY)
        assert all(i >= 0 for i in ids), ids
        seen = ipc_keys()
        if mode == "namespaces":
            assert f"{KEY:#010x}" not in seen, "the worker's shared memory is visible outside its IPC namespace"
            assert module.network() == 0, "the worker reached the network"
            assert len(module.pids()) <= 3, "the worker sees processes beyond its own PID namespace"
    finally:
        student.close()
    left = ipc_keys()
    for flag, key in (("-M", KEY), ("-Q", KEY + 1), ("-S", KEY + 2)):  # never leave them on the machine
        subprocess.run(["ipcrm", flag, str(key)], capture_output=True)
    if mode == "namespaces" or os.geteuid() == 0:  # the IPC namespace, or the fallback's cleanup of the uid
        assert f"{KEY:#010x}" not in left, "the worker's SysV objects outlived it"


def test_the_worker_world_holds_only_python_numpy_and_its_folder(mode, tmp_path):
    student = proxy.SandboxStudent({"tricks.py": CODE.encode()}, tmp_path)
    try:
        module = student.module("tricks")
        seen = {path: module.exists(path) for path in (str(REPO / ".git"), str(REPO / "solutions"),
                                                        proxy.NUMPY_PATH + "/scipy", "/run/lock", "/dev/shm")}
        by_path = module.import_scipy_by_path(proxy.NUMPY_PATH)
        if mode == "namespaces" and proxy.world_usable():
            # Besides these, only the host's links into /usr (bin -> usr/bin).
            assert module.top_level_beyond("dev etc numpy tmp usr work bin sbin lib lib32 lib64 libx32") == 0
            assert not any(seen.values()), f"visible in the worker's world: {[p for p, v in seen.items() if v]}"
            assert by_path == 0, "scipy loaded from its files by path"
        elif mode == "fallback":  # what the docs say the fallback does not hide
            assert seen[str(REPO / ".git")] and seen[proxy.NUMPY_PATH + "/scipy"]
    finally:
        student.close()


def test_the_mode_is_said():
    assert proxy.sandbox_mode().startswith("sandbox: ")
