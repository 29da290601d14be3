"""The `student` fixture's sandboxed transport: proxies to one worker process per submission.

SandboxStudent has exactly the surface of kata.judge.student.InProcessStudent:

    conv = student.module("conv")          # SandboxModule
    layer = conv.Conv(num_filters=4, rng=0)  # SandboxObject (the instance lives in the worker)
    layer.filters = filters                # setattr request (the array travels as .npy)
    out = layer.forward(image)             # call request; the result is re-validated here

Every request has a deadline (the per-call timeout). On a timeout, a crash (the worker
exited, even with code 0), a garbled reply or any interruption, the worker's whole process
group is killed, the call fails with a message, and the next request starts a fresh worker
(objects made before then are gone; modules are imported again).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

from kata.judge.student import ImplementationError, mutation_message

from grader.trusted import policy, world
from grader.trusted.protocol import FrameReader, StudentError, WorkerGone, WorkerTimeout, decode, encode, write_frame

WORKER_SOURCE = Path(__file__).resolve().parent.parent / "sandbox" / "worker.py"
UID_BASE = 200_000  # workers run as uid UID_BASE + pid of their grading process (when root)


def worker_env(home: str) -> dict[str, str]:
    """A scrubbed environment: nothing of the grader's leaks in; one BLAS thread."""
    return {"PATH": "/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8", "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1"}


NUMPY_PATH = str(Path(np.__file__).resolve().parent.parent)


@functools.cache
def worker_python() -> tuple[str, str]:
    """(interpreter, note): a Python of this version that an unprivileged worker can run with numpy.

    Only a question as root (otherwise the worker is the grader's user). The grader's own
    interpreter first; it may live where other users cannot read (pyenv under /root), so a
    system Python of the same version is tried next. Asked once per process, as the uid
    UID_BASE (no worker's: what one user without rights can run, any can). When none works,
    the worker runs as the grader's user and the note says so.
    """
    if os.geteuid() != 0:
        return sys.executable, ""
    uid = UID_BASE
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    probe = f"import sys; sys.path.insert(0, {NUMPY_PATH!r}); import numpy"
    for candidate in dict.fromkeys([sys.executable, f"/usr/bin/{version}", f"/usr/local/bin/{version}"]):
        try:
            done = subprocess.run([candidate, "-I", "-c", probe], user=uid, group=uid, extra_groups=[],
                                  cwd="/", env=worker_env("/"), capture_output=True, timeout=60)
        except (OSError, subprocess.SubprocessError):
            continue
        if done.returncode == 0:
            return candidate, ""
    return sys.executable, (f"no {version} with numpy is usable by an unprivileged user, so the worker runs as "
                            "the grader's user and can read what the grader can (see README, Security)")


NAMESPACE_FLAGS = ["--ipc", "--pid", "--net", "--mount", "--fork", "--kill-child", "--mount-proc"]


@functools.cache
def namespaces_usable() -> bool:
    """Whether workers start in new IPC, PID, network and mount namespaces (probed once).

    Needs root on Linux with util-linux's unshare and setpriv, and a kernel (or container)
    that allows new namespaces. KATA_SANDBOX_NAMESPACES=0 forces the fallback (tests use it):
    then the worker runs as its own uid with rlimits, and the grader cleans up after it.
    """
    if os.environ.get("KATA_SANDBOX_NAMESPACES") == "0" or not sys.platform.startswith("linux"):
        return False
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("setpriv"):
        return False
    try:
        return subprocess.run([shutil.which("unshare"), *NAMESPACE_FLAGS, "--", "true"], capture_output=True,
                              timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def namespace_prefix() -> list[str]:
    return [shutil.which("unshare"), *NAMESPACE_FLAGS, "--"]


def world_usable() -> bool:
    """Whether workers get a world of their own (world.py): namespaces, and a /usr interpreter."""
    python, note = worker_python()
    return not note and namespaces_usable() and world.usable(tuple(namespace_prefix()), python, NUMPY_PATH,
                                                            tuple(worker_env(world.FOLDER).items()))


def sandbox_mode() -> str:
    """Which isolation the workers get, in words, for the run's output."""
    if os.geteuid() != 0:
        return "sandbox: one user, rlimits only (not root: no separate uid, no namespaces)"
    if world_usable():
        return ("sandbox: separate uid, rlimits, new IPC/PID/network/mount namespaces, "
                "a filesystem of its own (only Python, NumPy and its folder)")
    if namespaces_usable():
        return ("sandbox: separate uid, rlimits, new IPC/PID/network/mount namespaces "
                "(no filesystem of its own: the worker's Python is not under /usr)")
    return "sandbox: separate uid, rlimits and cleanup (namespaces refused or disabled)"


SYSV_IPC = {"shm": "-m", "msg": "-q", "sem": "-s"}  # /proc/sysvipc/<kind> -> ipcrm's flag for an id


def remove_ipc_of(uid: int) -> None:
    """The fallback's cleanup (no IPC namespace): remove the SysV shared memory, message
    queues and semaphore sets a worker's uid made, which would outlive it otherwise."""
    ipcrm = shutil.which("ipcrm", path="/usr/bin:/bin")
    for kind, flag in SYSV_IPC.items():
        try:
            lines = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()
        except OSError:
            continue
        columns = lines[0].split() if lines else []
        for line in lines[1:]:
            fields = dict(zip(columns, line.split()))
            ident = fields.get("shmid") or fields.get("msqid") or fields.get("semid")
            if ipcrm and ident and fields.get("uid") == str(uid):
                subprocess.run([ipcrm, flag, ident], capture_output=True)


class Worker:
    """One running worker process and its two pipes."""

    def __init__(self, files: dict[str, bytes], scratch: Path):
        self.folder = Path(tempfile.mkdtemp(prefix="kata-worker-"))
        self.root: Path | None = None  # the world's mount point, in world mode
        self.uid: int | None = None  # the worker's own uid, as root
        self.namespaced = False
        self.process: subprocess.Popen | None = None
        try:
            self._start(files, scratch)
            # Python and numpy start before any student code runs: the per-call clock starts after.
            ready, _ = self.replies.frame(time.monotonic() + policy.STARTUP_ALLOWANCE)
            if ready.get("ready") is not True:
                raise WorkerGone("it sent something else than its ready signal")
        except WorkerTimeout:
            self.kill()
            raise WorkerGone(f"it did not start within {policy.STARTUP_ALLOWANCE:g} s") from None
        except BaseException:
            self.kill()
            raise

    def _start(self, files: dict[str, bytes], scratch: Path) -> None:
        for name, data in files.items():
            (self.folder / name).write_bytes(data)
        shutil.copyfile(WORKER_SOURCE, self.folder / "worker.py")
        uid = self.uid = UID_BASE + os.getpid() if os.geteuid() == 0 else None
        python, self.note = worker_python()
        user = self._switch_to(uid) if uid is not None and not self.note else {}
        command = [python, "-I", "worker.py"]
        numpy_path = NUMPY_PATH
        self.namespaced = bool(user) and namespaces_usable()
        if self.namespaced:  # root starts the namespaces, setpriv drops to the worker's uid inside them
            drop = [shutil.which("setpriv"), f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--"]
            if world_usable():  # ... after root has built the worker's world and chrooted into it
                self.root = Path(tempfile.mkdtemp(prefix="kata-world-"))
                inner = [*drop, world.interpreter(python), "-I", "-S", f"{world.FOLDER}/worker.py"]
                command = [*namespace_prefix(), *world.command(self.root, self.folder, NUMPY_PATH, inner)]
                numpy_path = world.NUMPY
            else:
                command = [*namespace_prefix(), *drop, *command]
            user = {}
        request_read, self.request_fd = os.pipe()
        self.response_fd, response_write = os.pipe()
        config = json.dumps({"banned": sorted(policy.BANNED_MODULES), "limits": policy.WORKER_LIMITS,
                             "numpy_path": numpy_path, "output_bytes": policy.OUTPUT_BYTES,
                             "max_header": policy.MAX_HEADER, "max_blob": policy.MAX_BLOB})
        # The student's output goes to files of ours (size-capped by RLIMIT_FSIZE), never parsed.
        try:
            with open(scratch / "worker-stdout.txt", "wb") as out, open(scratch / "worker-stderr.txt", "wb") as err:
                self.process = subprocess.Popen(
                    [*command, str(request_read), str(response_write), config],
                    cwd=self.folder, env=worker_env(world.FOLDER if self.root else str(self.folder)), stdin=subprocess.DEVNULL,
                    stdout=out, stderr=err, pass_fds=(request_read, response_write),
                    start_new_session=True,  # its own process group, so kill() reaches every child
                    **user,
                )
        except BaseException:
            os.close(self.request_fd)
            os.close(self.response_fd)
            raise
        finally:  # the worker's ends of the pipes are its own now
            os.close(request_read)
            os.close(response_write)
        os.set_blocking(self.request_fd, False)  # see protocol.write_frame
        self.replies = FrameReader(self.response_fd)

    def _switch_to(self, uid: int) -> dict[str, Any]:
        """As root: a uid of its own (no other worker shares it), owning only its folder."""
        for path in [self.folder, *self.folder.iterdir()]:
            os.chown(path, uid, uid)
        self.folder.chmod(0o700)
        return {"user": uid, "group": uid, "extra_groups": []}

    def _remove_root(self) -> None:
        if self.root is not None:  # empty here: the world was mounted on it inside the namespace only
            shutil.rmtree(self.root, ignore_errors=True)

    def request(self, header: dict, blobs: list[bytes], timeout: float) -> tuple[dict, list[bytes]]:
        deadline = time.monotonic() + timeout
        write_frame(self.request_fd, header, blobs, deadline)
        return self.replies.frame(deadline)

    def cpu_seconds(self) -> float | None:
        """CPU seconds the worker's processes have run so far (every task of its session, from
        the kernel's /proc/<pid>/task/<tid>/schedstat, in ns: nothing the student's code can
        forge); None without /proc. The session is the worker's own (start_new_session), and
        with namespaces the Python runs as a child of unshare, in the same session."""
        total, found = 0, False
        try:
            entries = os.listdir("/proc")
        except OSError:
            return None
        for pid in filter(str.isdigit, entries):
            try:
                with open(f"/proc/{pid}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[3]) != self.process.pid:
                        continue
                for task in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{task}/schedstat") as schedstat:
                        total += int(schedstat.read().split()[0])
                found = True
            except (OSError, ValueError, IndexError):  # a process that just ended
                continue
        return total / 1e9 if found else None

    def kill(self) -> str:
        """Kill the whole process group; returns how the worker ended, for messages."""
        shutil.rmtree(self.folder, ignore_errors=True)
        if self.process is None:
            self._remove_root()
            return "not started"
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        code = self.process.wait()
        self._remove_root()
        if self.uid is not None and not self.namespaced:  # with namespaces they died with it
            remove_ipc_of(self.uid)
        for fd in (self.request_fd, self.response_fd):
            os.close(fd)
        if code >= 0:
            return f"exit code {code}"
        return f"killed by {signal.Signals(-code).name}" if -code in signal.valid_signals() else f"signal {-code}"


class SandboxStudent:
    """A submission's files, run by a sandboxed worker; see kata/judge/student.py for the surface."""

    def __init__(self, files: dict[str, bytes], scratch: Path,
                 limits: policy.TimeLimits = policy.TimeLimits(policy.DEFAULT_TIMEOUT)):
        self.files = files
        self.scratch = scratch
        self.limits = limits
        self.worker: Worker | None = None
        self.generation = 0  # bumped at every restart: objects of an older worker are gone
        self.kinds: dict[tuple[str, str], str] = {}  # (module, name) -> class/function/value
        # (object handle, name) the worker said is a method: calling it again costs one request, not two
        self.methods: set[tuple[int, str]] = set()
        self.call_seconds: dict[str, float] = {}  # "conv.py: forward" -> its slowest answered call
        self.violations: dict[str, str] = {}  # file name -> banned module it tried to import
        self.timeouts: dict[str, int] = {}  # "conv.py: forward" -> its calls that timed out (policy.MAX_TIMEOUTS)
        self.modules_of: dict[int, str] = {}  # object handle -> the module whose class made it

    def module(self, name: str) -> SandboxModule:
        self.exchange({"op": "import", "module": name}, (), {}, f"importing {name}.py",
                      missing=f"{name}.py not found: the submission has no {name}.py")
        return SandboxModule(self, name)

    def exchange(self, header: dict, args: tuple, kwargs: dict, what: str, missing: str = "") -> tuple[Any, list[bytes]]:
        """Send one request; the reply's value tree and blobs, or the failure as an exception."""
        blobs: list[bytes] = []
        header = dict(header, args=[encode(a, blobs) for a in args],
                      kwargs={k: encode(v, blobs) for k, v in kwargs.items()})
        # Counted per function or method: an endless loop in one must not cost the others their points.
        module = header.get("module") or self.modules_of.get(header.get("handle"), "")
        target = f"{module}.py: {header.get('name') or 'import'}"
        if self.timeouts.get(target, 0) >= policy.MAX_TIMEOUTS:
            raise StudentError(f"{what} was not run: earlier calls ({target}) timed out {policy.MAX_TIMEOUTS} "
                               f"times (after {policy.MAX_TIMEOUTS}, its remaining calls are skipped)")
        if self.worker is None:
            try:
                self.worker = Worker(self.files, self.scratch)
            except WorkerGone as error:  # before any student code ran: the machine's fault, said so
                raise StudentError(f"{what} was not run: the process for your code could not start ({error})") from None
        timeout = self.limits.of(target)
        try:
            began = time.monotonic()
            reply, reply_blobs = self.worker.request(header, blobs, timeout)
            self.call_seconds[target] = max(self.call_seconds.get(target, 0.0), time.monotonic() - began)
        except WorkerTimeout:
            self.timeouts[target] = self.timeouts.get(target, 0) + 1
            self.restart()
            raise StudentError(f"{what} timed out after {timeout:.3g} s (an endless loop, or far too slow)") from None
        except WorkerGone:
            ended = self.restart()
            raise StudentError(f"{what} ended the process running your code ({ended}): "
                               "a layer must return its result, never exit or crash Python") from None
        except BaseException:  # interrupted mid-request: the pipe may be out of step; start afresh
            self.restart()
            raise
        if type(reply) is not dict or type(reply.get("ok")) is not bool:
            self._garbled(what)
        self._note_banned(reply.get("banned"))
        if reply["ok"]:
            return reply.get("value"), reply_blobs
        kind = reply.get("kind")
        if kind == "missing":
            raise ImplementationError(missing or f"{what} is missing")
        if kind == "mutated":
            raise StudentError(mutation_message(what, _text(reply.get("argument"), 40)))
        if kind == "rejected":
            raise StudentError(f"{what} returned {_text(reply.get('type'), 80)}, expected numpy.ndarray")
        if kind == "student":
            trace = reply.get("trace") if type(reply.get("trace")) is list else []
            lines = "".join(f"\n  at {_text(line, 300)}" for line in trace[-5:])
            raise StudentError(f"{what} raised {_text(reply.get('type'), 80)}: {_text(reply.get('message'), 1500)}{lines}")
        self._garbled(what)

    def _note_banned(self, reported: Any) -> None:
        """Banned imports the worker's blocker refused: [file, module] pairs, kept if well-formed."""
        if type(reported) is not list:
            return
        for entry in reported[:20]:
            if (type(entry) is list and len(entry) == 2 and all(type(x) is str for x in entry)
                    and entry[0] in self.files):
                self.violations.setdefault(entry[0], entry[1][:80])

    def _garbled(self, what: str) -> None:
        self.restart()
        raise StudentError(f"{what}: the process running your code sent an invalid reply")

    def call(self, header: dict, args: tuple, kwargs: dict, what: str) -> Any:
        """A call whose result must be a plain value (validated by protocol.decode)."""
        tree, blobs = self.exchange(header, args, kwargs, what)
        return decode(tree, blobs, what)

    def cpu_seconds(self) -> float | None:
        """The running worker's CPU seconds (Worker.cpu_seconds); None when none runs."""
        return self.worker.cpu_seconds() if self.worker is not None else None

    def restart(self) -> str:
        """Kill the current worker (if any); the next request starts a fresh one.

        Its objects are gone from now on (not only once the next worker starts): an object
        of it used first thing after the restart must say so, not reach the new worker's
        object of the same number.
        """
        worker, self.worker = self.worker, None
        if worker is None:
            return "not running"
        self.generation += 1
        self.kinds.clear()
        self.methods.clear()
        self.modules_of.clear()
        return worker.kill()

    def close(self) -> None:
        self.restart()


def _text(value: Any, limit: int) -> str:
    """An untrusted string from the worker, bounded, for a message."""
    text = value if type(value) is str else "?"
    return text if len(text) <= limit else text[:limit] + "..."


class SandboxModule:
    """A student's module in the worker: calling a class gives a SandboxObject."""

    def __init__(self, student: SandboxStudent, name: str):
        self._student = student
        self._name = name

    def __getattr__(self, name: str) -> Callable:
        if name.startswith("_"):
            raise AttributeError(name)
        student, key = self._student, (self._name, name)
        header = {"module": self._name, "name": name}
        if key not in student.kinds:
            tree, _ = student.exchange(dict(header, op="lookup"), (), {}, f"importing {self._name}.py",
                                       missing=f"{self._name}.py has no {name}: define it (see the exercise's docstring)")
            student.kinds[key] = tree.get("kind") if type(tree) is dict else "value"
        if student.kinds[key] == "class":
            def construct(*args: Any, **kwargs: Any) -> SandboxObject:
                tree, _ = student.exchange(dict(header, op="construct"), args, kwargs, f"{name}(...)")
                if type(tree) is not dict or type(tree.get("handle")) is not int:
                    student._garbled(f"{name}(...)")
                student.modules_of[tree["handle"]] = self._name
                return SandboxObject(student, tree["handle"], name)
            return construct
        return lambda *args, **kwargs: student.call(dict(header, op="call"), args, kwargs, f"{name}()")


class SandboxObject:
    """An instance of a student's class, living in the worker; arrays travel as copies."""

    def __init__(self, student: SandboxStudent, handle: int, label: str):
        object.__setattr__(self, "_student", student)
        object.__setattr__(self, "_sandbox_handle", handle)
        object.__setattr__(self, "_generation", student.generation)
        object.__setattr__(self, "_label", label)

    def _header(self, op: str, name: str) -> dict:
        if self._generation != self._student.generation:
            raise StudentError(f"this {self._label} object was lost when the process running your code "
                               "was restarted after an earlier failure")
        return {"op": op, "handle": self._sandbox_handle, "name": name}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        student, what = self._student, f"{self._label}.{name}"
        method = lambda *args, **kwargs: student.call(self._header("call_method", name), args, kwargs, what)
        if (self._sandbox_handle, name) in student.methods:  # an object of a lost worker: _header says so
            return method
        tree, blobs = student.exchange(self._header("getattr", name), (), {}, what,
                                       missing=f"{self._label} object has no attribute {name!r}")
        if tree == {"method": True}:
            student.methods.add((self._sandbox_handle, name))
            return method
        return decode(tree, blobs, what)

    def __setattr__(self, name: str, value: Any) -> None:
        self._student.call(self._header("setattr", name), (value,), {}, f"setting {self._label}.{name}")
