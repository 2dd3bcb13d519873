"""Running a notebook with papermill in a fresh Jupyter kernel of its own: within a time limit, its death
noticed, nothing left behind.

Each job gets a kernel started for it and stopped after it. A kernel may be started ahead (while the stage
before runs): it boots and imports what its notebook imports (the notebook's own import lines, run at
start-up, their names deleted), and nothing else runs in it. Kernels talk over local sockets in one folder
of the build's own in the temporary folder (``techtrade-<pid>-<random>``; over TCP when that path is too
long for a socket), removed when the build ends, or by the next build after a SIGKILL.

Every run ends: a kernel that dies is noticed within a second or two (the asynchronous client polls it),
one past the time limit is killed, and :meth:`Kernels.close` kills them all (an interruption). Each is
one :class:`StageFailed` (or KeyboardInterrupt) naming the cell.
"""
from __future__ import annotations

import ast
import asyncio
import functools
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path
from queue import Empty

PREFIX = "techtrade-"
SOCKET_PATH_MAX = 100  # a Unix socket path has 107 bytes at most; keep a margin for "-<port>"
ADDED = {"injected-parameters", "papermill-error-cell-tag"}  # cells papermill adds, not counted


class StageFailed(Exception):
    """A cell failed: ``ename``/``evalue`` say how (an exception, the time limit, a dead kernel), ``cell``
    which ('cell 3 of 7', numbered as in the notebook in notebooks/)."""

    def __init__(self, stage: str, ename: str, evalue: str, cell: str):
        first = evalue.strip().splitlines()[0] if evalue.strip() else ""
        super().__init__(f"{stage} failed in {cell} ({ename}: {first})")
        self.stage, self.ename, self.evalue, self.cell = stage, ename, first, cell


def imports(notebook: Path) -> str:
    """The import lines of a notebook's code cells (not its parameters), then ``del`` of what they bind."""
    nodes = []
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "code" and "parameters" not in cell["metadata"].get("tags", []):
            try:
                nodes += [n for n in ast.parse("".join(cell["source"])).body if isinstance(n, (ast.Import, ast.ImportFrom))
                          and getattr(n, "level", 0) == 0 and all(a.name != "*" for a in n.names)]
            except SyntaxError:  # IPython's own syntax (%magic): its imports are left to the notebook
                pass
    names = sorted({(a.asname or a.name).split(".")[0] for n in nodes for a in n.names})
    return "\n".join([*map(ast.unparse, nodes), f"del {', '.join(names)}"] if nodes else [])


@functools.cache
def _manager_class():
    """An asynchronous kernel manager (nbclient's own polling then notices a dead kernel), whose client
    is ready as soon as the kernel answers: jupyter_client's then listens until IOPub has been quiet for
    0.2 s, on every stage's critical path, though nbclient ignores the messages of other requests."""
    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.manager import AsyncKernelManager

    class Client(AsyncKernelClient):
        async def wait_for_ready(self, timeout=None):
            deadline = time.monotonic() + (timeout or 60)
            while True:
                self.kernel_info()
                try:
                    reply = await self.shell_channel.get_msg(timeout=1)
                    if reply["msg_type"] == "kernel_info_reply":
                        await self.iopub_channel.get_msg(timeout=0.2)  # IOPub is connected too
                        return self._handle_kernel_info_reply(reply)
                except Empty:
                    pass
                if not await self.is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")

    class Manager(AsyncKernelManager):
        kc = None  # its client, to close the client's sockets

        def client(self, **kw):
            self.kc = super().client(**kw)
            return self.kc

    return lambda: Manager(kernel_name="python3", client_factory=Client)


class Kernels:
    """The kernels of one build: each started for one job (ahead, or when its notebook runs) and stopped
    after it; all killed by :meth:`close`."""

    def __init__(self, timeout: float | None = None):
        self.dir = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
        self.timeout = timeout
        self.running: set = set()
        self.started: dict[str, object] = {}  # job -> its kernel, started and not yet used
        self.cells: dict[str, str] = {}       # job -> the cell it is running ('cell 3 of 7')
        self.expired: set[str] = set()        # jobs killed for running past the time limit
        self.lock = threading.Lock()
        self.closed = False

    def manager(self):
        km, name = _manager_class()(), uuid.uuid4().hex[:10]
        km.connection_file = str(self.dir / f"kernel-{name}.json")
        if len(os.fsencode(self.dir / f"k{name}")) <= SOCKET_PATH_MAX:  # local sockets: no TCP port to race for
            km.transport, km.ip = "ipc", str(self.dir / f"k{name}")
        return km

    def start(self, job: str, notebook: Path, cwd: Path) -> None:
        """Start ``job``'s kernel in ``cwd``, importing what ``notebook`` imports, unless it is started
        already. What the kernel prints goes to a log in the kernel folder, never to the terminal."""
        with self.lock:
            if self.closed or job in self.started:
                return
            self.started[job] = km = self.manager()
            self.running.add(km)
        with open(self.dir / f"{Path(km.connection_file).stem}.log", "wb") as log:
            asyncio.run(km.start_kernel(cwd=str(cwd), stdout=subprocess.DEVNULL, stderr=log,
                                        extra_arguments=[f"--IPKernelApp.exec_lines={imports(notebook)}"]))
        if self.closed:  # closed meanwhile
            _kill(km)

    def run(self, stage: str, job: str, notebook: Path, executed: Path, parameters: dict, cwd: Path) -> None:
        """Execute ``notebook`` into ``executed`` with ``parameters`` in ``job``'s kernel; raise StageFailed
        if a cell fails, the kernel dies or the time limit passes, KeyboardInterrupt after :meth:`close`."""
        import papermill as pm
        from jupyter_core.utils import ensure_event_loop

        self.start(job, notebook, cwd)
        with self.lock:
            km = self.started.pop(job, None)
        if km is None or self.closed:
            raise KeyboardInterrupt
        timer = threading.Timer(self.timeout or 0, self._expire, (job, km))  # from the notebook's start
        timer.daemon = True
        counted: list[int] = []  # the notebook's own cells (not those papermill adds), by index
        at: list[int] = []       # the last cell started

        def notebook_start(notebook):
            counted[:] = [i for i, c in enumerate(notebook.cells) if not ADDED & set(c.metadata.get("tags", []))]
            if self.timeout:
                timer.start()

        def cell_start(cell, cell_index):
            if cell_index in counted:
                at[:] = [cell_index]
                self.cells[job] = f"cell {counted.index(cell_index) + 1} of {len(counted)}"

        loop = ensure_event_loop()  # the one papermill will use in this thread: closed when done
        try:
            # no cwd= here: papermill would chdir the whole process from this thread while other stages run
            # in others; the kernel was started in ``cwd``, which is all the notebook needs
            nb = pm.execute_notebook(str(notebook), str(executed), parameters=parameters, kernel_name="python3",
                                     progress_bar=False, log_output=False, km=km, request_save_on_cell_execute=False,
                                     on_notebook_start=notebook_start, on_cell_start=cell_start)
            if at != counted[-1:]:  # papermill takes sys.exit(0) in a cell for a notebook done early
                error = next((o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"), {})
                raise StageFailed(stage, "stopped early", f"{error.get('ename', 'the kernel stopped')}: "
                                  f"{error.get('evalue', '')}; the cells after it did not run", self.where(job))
        except pm.PapermillExecutionError as exc:
            raise StageFailed(stage, exc.ename, str(exc.evalue), self.where(job)) from None
        except RuntimeError as exc:  # DeadKernelError, or nbclient's own: it died or hung before it was ready
            if self.closed:
                raise KeyboardInterrupt from None
            if job in self.expired:
                raise StageFailed(stage, "time limit", f"still running after {self.timeout:g} s; --timeout "
                                  "allows more", self.where(job)) from None
            code = km.provisioner.process.poll() if km.provisioner else None
            how = ("kernel died", f"exit code {code}") if code is not None else (type(exc).__name__, str(exc))
            raise StageFailed(stage, *how, self.where(job)) from None
        finally:
            timer.cancel()
            if km.kc is not None:
                km.kc.stop_channels()
            loop.close()
            self.cells.pop(job, None)
            self._stop(km)

    def where(self, job: str) -> str:
        return self.cells.get(job, "a cell")

    def _expire(self, job: str, km) -> None:
        with self.lock:
            self.expired.add(job)
        _kill(km)

    def _stop(self, km) -> None:
        with self.lock:
            if km not in self.running:
                return  # stopped already, or being stopped
            self.running.discard(km)
        _kill(km)
        try:
            km.provisioner.process.wait()  # reaped
            asyncio.run(km.cleanup_resources())  # its sockets closed, its files removed
        except Exception:  # never started, or already gone
            pass

    def close(self) -> None:
        """Kill every kernel still running (after an interruption: at once, whatever it is doing), and
        remove the build's kernel files."""
        with self.lock:
            self.closed = True
            kms = list(self.running)
        for km in kms:
            self._stop(km)
        shutil.rmtree(self.dir, ignore_errors=True)


def _kill(km) -> None:
    """SIGKILL to the kernel's process group (it was started in a session of its own)."""
    pid = getattr(km.provisioner, "pid", None)
    if pid:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass


def remove_debris() -> None:
    """Kernel folders of builds that were killed outright (their process is gone)."""
    for d in Path(tempfile.gettempdir()).glob(f"{PREFIX}*-*"):
        m = re.fullmatch(rf"{PREFIX}(\d+)-\w+", d.name)
        if m and d.is_dir() and not alive(int(m.group(1))):
            shutil.rmtree(d, ignore_errors=True)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
