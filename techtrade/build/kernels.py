"""Each notebook run by papermill in a fresh kernel of its own, within a time limit, nothing left behind
(docs/build.md). asyncio and jupyter_client are imported when a kernel starts: a no-op rebuild starts none."""
from __future__ import annotations

import ast
import contextlib
import functools
import json
import os
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path
from queue import Empty

PREFIX, SOCKET_PATH_MAX = "techtrade-", 100  # a Unix socket path has 107 bytes at most; a margin for "-<port>"
ADDED = {"injected-parameters", "papermill-error-cell-tag"}  # cells papermill adds, not counted


class StageFailed(Exception):
    """A cell failed: ``ename``/``evalue`` say how, ``cell`` which ('cell 3 of 7', as in notebooks/)."""

    def __init__(self, stage: str, ename: str, evalue: str, cell: str):
        self.stage, self.ename, self.evalue, self.cell = stage, ename, (evalue.strip().splitlines() or [""])[0], cell
        super().__init__(f"{stage} failed in {cell} ({ename}: {self.evalue})")


def imports(notebook: Path) -> str:
    """The import lines of a notebook's code cells (but its parameters), then ``del`` of the names they bind."""
    nodes = []
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "code" and "parameters" not in cell["metadata"].get("tags", []):
            with contextlib.suppress(SyntaxError):  # IPython's own syntax (%magic): left to the notebook
                nodes += [n for n in ast.parse("".join(cell["source"])).body
                          if isinstance(n, (ast.Import, ast.ImportFrom))
                          and not getattr(n, "level", 0) and all(a.name != "*" for a in n.names)]
    names = sorted({(a.asname or a.name).split(".")[0] for n in nodes for a in n.names})
    return "\n".join([*map(ast.unparse, nodes), f"del {', '.join(names)}"] if nodes else [])


@functools.cache
def _client_class():
    """nbclient's client, ready once the kernel answers (jupyter_client's then waits for 0.2 s of silence on
    IOPub, on each stage's critical path), and kept by its manager (``km.kc``) to be closed after the run."""
    from jupyter_client.asynchronous import AsyncKernelClient

    class Client(AsyncKernelClient):
        async def wait_for_ready(self, timeout=None):
            self.parent.kc, deadline = self, time.monotonic() + (timeout or 60)
            while True:
                self.kernel_info()
                with contextlib.suppress(Empty):
                    reply = await self.shell_channel.get_msg(timeout=1)
                    if reply["msg_type"] == "kernel_info_reply":
                        await self.iopub_channel.get_msg(timeout=0.2)  # IOPub is connected too
                        return self._handle_kernel_info_reply(reply)
                if not await self.is_alive() or time.monotonic() > deadline:
                    raise RuntimeError(f"the kernel died, or did not answer in {timeout} s, before it was ready")

    return Client


class Kernels:
    """The kernels of one build, each started for one job and stopped after it; all killed by close()."""

    def __init__(self, timeout: float | None = None):
        self.dir, self.timeout = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-")), timeout
        self.running, self.started = set(), {}  # the kernels alive; job -> its kernel, started ahead
        self.cells: dict[str, str] = {}  # job -> the cell it runs ('cell 3 of 7')
        self.lock, self.closed = threading.Lock(), False

    def manager(self):
        from jupyter_client.manager import AsyncKernelManager

        km = AsyncKernelManager(kernel_name="python3", client_factory=_client_class())
        km.kc, name = None, os.urandom(5).hex()
        km.connection_file = str(self.dir / f"kernel-{name}.json")
        if len(os.fsencode(self.dir / f"k{name}")) <= SOCKET_PATH_MAX:  # local sockets: no TCP port to race for
            km.transport, km.ip = "ipc", str(self.dir / f"k{name}")
        return km

    def start(self, job: str, notebook: Path, cwd: Path) -> None:
        """Start ``job``'s kernel (unless started), importing what ``notebook`` imports."""
        import asyncio
        import subprocess

        with self.lock:
            if self.closed or job in self.started:
                return
            self.started[job] = km = self.manager()
            self.running.add(km)
        with open(self.dir / f"{Path(km.connection_file).stem}.log", "wb") as log:  # never to the terminal
            asyncio.run(km.start_kernel(cwd=str(cwd), stdout=subprocess.DEVNULL, stderr=log,
                                        extra_arguments=[f"--IPKernelApp.exec_lines={imports(notebook)}"]))
        if self.closed:
            _kill(km)

    def run(self, stage: str, job: str, notebook: Path, executed: Path, parameters: dict, cwd: Path) -> None:
        """Execute ``notebook`` into ``executed`` in ``job``'s kernel: StageFailed if a cell fails, the kernel
        dies or the time limit passes; KeyboardInterrupt after :meth:`close`."""
        import papermill as pm
        from jupyter_core.utils import ensure_event_loop

        self.start(job, notebook, cwd)
        with self.lock:
            km = self.started.pop(job, None)
        if km is None or self.closed:
            raise KeyboardInterrupt
        expired = threading.Event()  # the time limit passed (and the kernel was killed)
        timer = threading.Timer(self.timeout or 0, _kill, (km, expired))
        timer.daemon, counted, at = True, [], []  # the notebook's own cells, by index; the last one started

        def notebook_start(notebook):
            counted[:] = [i for i, c in enumerate(notebook.cells) if not ADDED & set(c.metadata.get("tags", []))]
            if self.timeout:
                timer.start()

        def cell_start(cell, cell_index):
            if cell_index in counted:
                at[:], self.cells[job] = [cell_index], f"cell {counted.index(cell_index) + 1} of {len(counted)}"

        loop = ensure_event_loop()  # the one papermill will use in this thread: closed after
        try:  # (no cwd=: papermill would chdir the whole process, from this thread; the kernel runs in cwd)
            nb = pm.execute_notebook(str(notebook), str(executed), parameters=parameters, kernel_name="python3",
                                     progress_bar=False, log_output=False, km=km, request_save_on_cell_execute=False,
                                     on_notebook_start=notebook_start, on_cell_start=cell_start)
            if at != counted[-1:]:  # papermill takes sys.exit(0) in a cell for a notebook done early
                error = next((o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"), {})
                raise StageFailed(stage, "stopped early", f"{error.get('ename', 'the kernel stopped')}: "
                                  f"{error.get('evalue', '')}; the cells after it did not run",
                                  self.cells.get(job, "a cell"))
        except pm.PapermillExecutionError as exc:
            raise StageFailed(stage, exc.ename, str(exc.evalue), self.cells.get(job, "a cell")) from None
        except RuntimeError as exc:  # DeadKernelError, or nbclient's own: it died or hung before it was ready
            if self.closed:
                raise KeyboardInterrupt from None
            code = km.provisioner.process.poll() if km.provisioner else None
            how = (("time limit", f"still running after {self.timeout:g} s; --timeout allows more") if expired.is_set()
                   else ("kernel died", f"exit code {code}") if code is not None else (type(exc).__name__, str(exc)))
            raise StageFailed(stage, *how, self.cells.get(job, "a cell")) from None
        finally:
            timer.cancel()
            if km.kc is not None:
                km.kc.stop_channels()
            loop.close()
            self.cells.pop(job, None)
            self._stop(km)

    def _stop(self, km) -> None:
        import asyncio

        with self.lock:
            if km not in self.running:
                return  # stopped already, or being stopped
            self.running.discard(km)
        _kill(km)
        with contextlib.suppress(Exception):  # never started, or gone already
            km.provisioner.process.wait()  # reaped
            asyncio.run(km.cleanup_resources())  # its sockets closed, its files removed

    def close(self) -> None:
        """Kill every kernel still running, whatever it is doing, and remove the build's kernel files."""
        with self.lock:
            self.closed, kms = True, list(self.running)
        for km in kms:
            _kill(km)
        for km in kms:
            self._stop(km)
        shutil.rmtree(self.dir, ignore_errors=True)


def _kill(km, why: threading.Event | None = None) -> None:
    """SIGKILL to the kernel's process group (it was started in a session of its own), ``why`` set first."""
    if why is not None:
        why.set()
    pid = getattr(km.provisioner, "pid", None)
    if pid:  # (never 0: this process's own group)
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)


def remove_debris() -> None:
    """Kernel folders of builds killed outright (their process is gone)."""
    for d in Path(tempfile.gettempdir()).glob(f"{PREFIX}*-*"):
        pid = d.name.removeprefix(PREFIX).partition("-")[0]
        if pid.isdecimal() and not alive(int(pid)):
            shutil.rmtree(d, ignore_errors=True)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's
        pass
    return True
