"""Running one notebook with papermill in a fresh Jupyter kernel, within a time limit, and nothing left behind.

Each stage gets a kernel of its own, started for it and stopped after it, so nothing leaks from one
notebook to the next. A build keeps its kernels' files (connection files and, where the path is short
enough, local sockets) in one folder of its own in the temporary folder, ``techtrade-<pid>-<random>``:
removed when the build ends, however it ends short of SIGKILL, and by the next build after a SIGKILL.

Every run ends: a kernel that dies is noticed within a second or two (the asynchronous client polls
it), one that runs past the time limit is killed, and :meth:`Kernels.close` kills them all at once
(an interruption). Each is one :class:`StageFailed` (or KeyboardInterrupt) naming the cell.
"""
from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import uuid
from pathlib import Path

PREFIX = "techtrade-"
SOCKET_PATH_MAX = 100  # a Unix socket path has 107 bytes at most; keep a margin for "-<port>"
ADDED = {"injected-parameters", "papermill-error-cell-tag"}  # cells papermill adds, not counted


class StageFailed(Exception):
    """A cell failed. ``ename``/``evalue`` say how (an exception, the time limit, a dead kernel);
    ``cell`` says which cell ('cell 3 of 7', numbered as in the notebook in notebooks/)."""

    def __init__(self, stage: str, ename: str, evalue: str, cell: str):
        first = evalue.strip().splitlines()[0] if evalue.strip() else ""
        super().__init__(f"{stage} failed in {cell} ({ename}: {first})")
        self.stage, self.ename, self.evalue, self.cell = stage, ename, first, cell


def _manager_class():
    from jupyter_client.manager import AsyncKernelManager

    class Manager(AsyncKernelManager):
        """An asynchronous kernel manager (nbclient's own polling then notices a dead kernel; with a
        blocking one it waits forever) that remembers its client, to close the client's sockets."""
        kc = None

        def client(self, **kw):
            self.kc = super().client(**kw)
            return self.kc

    return Manager


class Kernels:
    """The kernels of one build: started on demand, each stopped after its notebook, all by :meth:`close`."""

    def __init__(self, prestart: bool = True, timeout: float | None = None):
        self.dir = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
        self.prestart_on, self.timeout = prestart, timeout
        self.running: set = set()
        self.started: dict[str, object] = {}   # job -> a kernel started ahead for it
        self.cells: dict[str, str] = {}        # job -> the cell it is running ('cell 3 of 7')
        self.expired: set[str] = set()         # jobs killed for running past the time limit
        self.lock = threading.Lock()
        self.closed = False
        self.Manager = _manager_class()

    def manager(self):
        name = uuid.uuid4().hex[:10]
        km = self.Manager(kernel_name="python3")
        km.connection_file = str(self.dir / f"kernel-{name}.json")
        ipc = str(self.dir / f"k{name}")
        if len(os.fsencode(ipc)) <= SOCKET_PATH_MAX:  # local sockets: no TCP port to race for
            km.transport, km.ip = "ipc", ipc
        return km

    def prestart(self, job: str, cwd: Path) -> None:
        """Start the kernel for ``job`` now, so that it boots while other work goes on (a stage that
        is about to run starts the next one's). It is still a fresh kernel, used by that job only."""
        if self.prestart_on:
            with self.lock:
                if self.closed or job in self.started:
                    return
                self.started[job] = km = self.manager()
            self._start(km, cwd)

    def _start(self, km, cwd: Path) -> None:
        """Start a kernel quietly: what it prints goes to a log in the build's kernel folder, never to
        the terminal. A kernel started after :meth:`close` is killed at once."""
        with self.lock:
            self.running.add(km)
        with open(self.dir / f"{Path(km.connection_file).stem}.log", "wb") as log:
            asyncio.run(km.start_kernel(cwd=str(cwd), stdout=subprocess.DEVNULL, stderr=log))
        if self.closed:
            _kill(km)

    def run(self, stage: str, notebook: Path, executed: Path, parameters: dict, cwd: Path, job: str = "") -> None:
        """Execute ``notebook`` into ``executed`` with ``parameters``; raise StageFailed if a cell fails,
        the kernel dies or the time limit passes, KeyboardInterrupt if :meth:`close` stopped it."""
        import papermill as pm
        from jupyter_core.utils import ensure_event_loop

        job = job or stage
        with self.lock:
            if self.closed:
                raise KeyboardInterrupt
            km = self.started.pop(job, None)
        if km is None:
            km = self.manager()
            self._start(km, cwd)
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
            # no cwd= here: papermill would chdir the whole process, from this thread, while other stages
            # run in others, and could leave it in a build folder that is then deleted; the kernel was
            # started in ``cwd`` already (_start), which is all the notebook needs
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
            _kill(km)
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
    tmp = Path(tempfile.gettempdir())
    for d in tmp.glob(f"{PREFIX}*-*"):
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
