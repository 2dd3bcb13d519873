"""Running one notebook with papermill in a fresh Jupyter kernel, and nothing left behind.

Each stage gets a kernel of its own, started for it and shut down after it, so nothing leaks from one
notebook to the next. A build keeps its kernels' files (connection files and, where the path is short
enough, local sockets) in one folder of its own in the temporary folder, ``techtrade-<pid>-<random>``:
removed when the build ends, however it ends short of SIGKILL, and by the next build after a SIGKILL.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import threading
import uuid
from pathlib import Path

PREFIX = "techtrade-"
SOCKET_PATH_MAX = 100  # a Unix socket path has 107 bytes at most; keep a margin for "-<port>"


class StageFailed(RuntimeError):
    """A cell raised. ``ename``/``evalue`` are the exception; ``cell`` says which cell ('cell 3 of 7')."""

    def __init__(self, stage: str, ename: str, evalue: str, cell: str):
        first = evalue.strip().splitlines()[0] if evalue.strip() else ""
        super().__init__(f"{stage} failed in {cell} ({ename}: {first})")
        self.stage, self.ename, self.evalue, self.cell = stage, ename, first, cell


class Kernels:
    """The kernels of one build: started on demand, every one stopped by :meth:`close`."""

    def __init__(self, prestart: bool = True):
        self.dir = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
        self.running: set = set()
        self.started: dict[str, object] = {}  # job -> a kernel started ahead for it
        self.reapers: list[threading.Thread] = []
        self.lock = threading.Lock()
        self.closed = False
        self.prestart_on = prestart

    def manager(self):
        from jupyter_client.manager import KernelManager

        name = uuid.uuid4().hex[:10]
        km = KernelManager(kernel_name="python3")
        km.connection_file = str(self.dir / f"kernel-{name}.json")
        ipc = str(self.dir / f"k{name}")
        if len(os.fsencode(ipc)) <= SOCKET_PATH_MAX:  # local sockets: no TCP port to race for
            km.transport, km.ip = "ipc", ipc
        return km

    def prestart(self, job: str, cwd: Path) -> None:
        """Start the kernel for ``job`` now, so that it boots while other work goes on (a stage that
        is about to run starts the next one's). It is still a fresh kernel, used by that job only."""
        if not self.prestart_on:
            return
        with self.lock:
            if self.closed or job in self.started:
                return
            km = self.manager()
            self.started[job] = km
            self.running.add(km)
        self._start(km, cwd)

    def _start(self, km, cwd: Path) -> None:
        """Start a kernel quietly: what it prints goes to a log in the build's kernel folder (read
        when it dies), never to the terminal."""
        log = open(self.dir / f"{Path(km.connection_file).stem}.log", "wb")
        try:
            km.start_kernel(cwd=str(cwd), stdout=subprocess.DEVNULL, stderr=log)
        finally:
            log.close()

    def run(self, stage: str, notebook: Path, executed: Path, parameters: dict, cwd: Path, job: str = "") -> None:
        """Execute ``notebook`` into ``executed`` with ``parameters``; raise StageFailed if a cell fails."""
        with self.lock:
            if self.closed:
                raise KeyboardInterrupt
            km = self.started.pop(job, None)
        if km is None:
            km = self.manager()
            with self.lock:
                self.running.add(km)
            self._start(km, cwd)
        import papermill as pm

        try:
            # no cwd= here: papermill would chdir the whole process, from this thread, while other stages
            # run in others, and could leave it in a build folder that is then deleted; the kernel was
            # started in ``cwd`` already (_start), which is all the notebook needs
            pm.execute_notebook(str(notebook), str(executed), parameters=parameters,
                                kernel_name="python3", progress_bar=False, log_output=False, km=km,
                                request_save_on_cell_execute=False)
        except pm.PapermillExecutionError as exc:
            raise StageFailed(stage, exc.ename, str(exc.evalue), failed_cell(executed)) from None
        finally:
            # the notebook is saved: stopping its kernel (a tenth of a second) need not hold up the build
            t = threading.Thread(target=self._stop, args=(km,), daemon=True)
            with self.lock:
                self.reapers.append(t)
            t.start()

    def _stop(self, km) -> None:
        with self.lock:
            self.running.discard(km)
        try:
            if km.has_kernel:
                km.shutdown_kernel(now=True)
        except Exception:  # already gone
            pass
        try:
            km.cleanup_resources()
        except Exception:
            pass

    def close(self) -> None:
        """Stop every kernel still running (after an interruption) and remove the build's kernel files."""
        with self.lock:
            self.closed = True
            kms, reapers = list(self.running), list(self.reapers)
        for km in kms:
            self._stop(km)
        for t in reapers:
            t.join()
        shutil.rmtree(self.dir, ignore_errors=True)


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


def failed_cell(executed: Path) -> str:
    """'cell 3 of 9': the failing cell, numbered as in the notebook in notebooks/ (not counting the
    cells papermill adds: the injected parameters and its error banner)."""
    import nbformat

    try:
        nb = nbformat.read(str(executed), as_version=4)
    except Exception:  # the notebook could not be saved: say what we can
        return "a cell"
    added = {"injected-parameters", "papermill-error-cell-tag"}
    cells = [c for c in nb.cells if not added & set(c.metadata.get("tags", []))]
    for i, cell in enumerate(cells, 1):
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return f"cell {i} of {len(cells)}"
    return "a cell"
